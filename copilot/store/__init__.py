"""What the copilot keeps: the database, the approval queue, the execution ledger, the audit log, conversations."""
