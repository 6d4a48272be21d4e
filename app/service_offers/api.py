"""REST API of service offers (中试 / 检验检测): ``/api/v1/services``, built by the generic listing API."""
from app.listings.resource import listing_blueprint
from app.service_offers.service import service_offers_service

blp = listing_blueprint(
    service_offers_service, name="services_api", description="Pilot-scale (中试) and inspection (检验检测) service offers"
)
