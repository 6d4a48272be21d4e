"""REST API of technology demands (技术需求): ``/api/v1/demands``, built by the generic listing API."""
from ..listings.api_common import listing_blueprint
from .service import demands_service

blp = listing_blueprint(demands_service, name="demands_api", description="Technology demands posted by enterprises")
