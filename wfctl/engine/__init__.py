"""The embedded durable workflow engine: event-sourced, on one SQLite file.

Modules: history (event and action types: the seam), replay (history + generator -> actions),
context (the workflow context replay hands the generator), registry (workflows and activities
by name), store (all SQL), worker (the loop), background (running it in a thread or process).
This package imports nothing above it: not the authoring API (``wfctl.workflow``: the
runtime, clients and app loader stand on the engine), the backends, the fronts or the CLI.
"""
