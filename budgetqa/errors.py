"""Domain errors. Raised inside; turned into one-line messages at the edges (CLI, API, UI)."""


class BudgetQAError(Exception):
    """Base class: the message is meant for the user, as is."""


class SettingsError(BudgetQAError):
    """A setting has an invalid value."""


class IngestError(BudgetQAError):
    """A source file cannot be read or is of an unsupported type."""


class StoreError(BudgetQAError):
    """The store is missing, corrupt or was built with other settings."""


class ModelLoadError(BudgetQAError):
    """An embedding model (or other backend) failed to load."""
