"""Reports of a run: terminal (rich), JUnit XML, the JSON report (docs/contracts.md §5) and Markdown
pages with a mermaid sequence diagram drawn from the trace; `model.py` holds the result types."""
