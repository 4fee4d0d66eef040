"""Live components: long-running parts with `start`/`stop` that react to events and timers
(the router, the contact intake, the bot, the phone, the outbox, knowledge updates). They
take typed ports (`live.ports`) and are wired by `omnicenter.bootstrap`; what they write,
they write through services (`omnicenter.services`)."""
