"""Read-side queries: plain functions over a session, batched for the dataloaders."""
