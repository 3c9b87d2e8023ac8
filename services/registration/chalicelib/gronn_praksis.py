"""Routes for events where participants bring their own practice: contributions, the
programme and the award. A blueprint of the registration app."""
from chalice import Blueprint

from samling.platform.edge import Edge

bp = Blueprint(__name__)
edge = Edge(bp, "registration")
