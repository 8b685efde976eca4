"""A deterministic, realistic demo data set: `load_demo_data(engine, partners=..., seed=...)`."""

from api.demo_data.loader import DemoSummary, load_demo_data

__all__ = ["DemoSummary", "load_demo_data"]
