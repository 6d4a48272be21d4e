"""REST API of technology demands (技术需求): ``/api/v1/demands``, built by the generic listing API."""
from app.demands.service import demands_service
from app.listings.resource import listing_blueprint

blp = listing_blueprint(demands_service, name="demands_api", description="Technology demands posted by enterprises")
