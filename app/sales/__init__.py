"""Public transaction modes of a patent: 挂牌 (a fixed-price listing with a notice period), 竞价 (an English
auction with deposits, reserve, increments and anti-sniping) and 开放许可 (open licences on standard terms), all
one workflow subject (:class:`~app.sales.models.Sale`) on the deal workflow engine."""
