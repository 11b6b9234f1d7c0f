"""{% map_tiles as tiles %}: the operator's tile server for the map, if any (groups.maps).

`tiles.url` and `tiles.attribution` go to the map's script; `tiles.host` is named in the privacy
note. All are empty by default, when the map is drawn from this site's own files.
"""

from django import template
from django.conf import settings

from groups.maps import tile_host

register = template.Library()


@register.simple_tag
def map_tiles():
    return {
        "url": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "host": tile_host(),
    }
