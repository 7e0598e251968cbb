"""Turn Chinese government information-disclosure annual reports into checked, comparable data."""

__version__ = "0.1.0"
