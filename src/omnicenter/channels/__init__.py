"""Channel adapters: each turns its protocol into `InboundEvent`s and sends `OutboundMessage`s."""
