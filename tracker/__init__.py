"""The Workdiary tracking core: contracts, time blocks, screenshots and activity in a local
database. No Qt widgets here: the app (``ui``), the sync worker and the command line all use it."""
