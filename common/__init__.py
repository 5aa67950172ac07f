"""What the desktop app, sync and the contract service share: the contract's rules, time and its
formats, the wire contract, the database column types and the errors. Imports nothing heavier
than SQLAlchemy, so that the service installs without Qt or input libraries."""
