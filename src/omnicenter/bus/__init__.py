"""The event bus: typed events, the in-process bus, and per-client event queues for live push."""

from omnicenter.bus.events import BusEvent
from omnicenter.bus.inprocess import InProcessBus
from omnicenter.bus.queues import EventQueues, QueueExpired

__all__ = ["BusEvent", "EventQueues", "InProcessBus", "QueueExpired"]
