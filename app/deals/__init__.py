"""Deals: the transaction workflow joining a buyer and a seller organisation around patents, from inquiry to a
paid, registered contract. The workflow engine in :mod:`app.core.workflow` also runs standalone service orders."""
