"""Services: the only code that writes. Each function is one unit of work on a `UnitOfWork`."""
