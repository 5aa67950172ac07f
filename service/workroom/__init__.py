"""The contract workroom's rules (PRODUCT.md section 7), one module per part; the routes in
``service.api.routes`` only translate HTTP to these and back.

- ``access``: who sees a contract, and as what (client, freelancer, agency member)
- ``actions``: the "…" menu — what a viewer may do now — which every action endpoint enforces
- ``events``: every change as an event (recent activity, a line in the thread, the events feed)
- ``terms``: the hourly terms of each work week
- ``ledger``: what the client paid, and what may still be refunded
"""
