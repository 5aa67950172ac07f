"""The contract service client and the outbox worker."""
