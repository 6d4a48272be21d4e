"""Paid workflows: what deals and service orders share on top of the workflow engine — the payment,
cancellation and dispute actions, the REST routes and the web pages of a subject with a buyer, a seller and a
payment. A library for those two domains; it registers nothing itself."""
