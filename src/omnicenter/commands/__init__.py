"""Command groups of the `omnicenter` CLI; each module defines `register(app)`."""
