"""Synthetic meetings for load testing: `manage.py generate_meetings --count 100000 --seed 1`.

Adds to whatever is there. Places are real cities with their real time zones (coordinates jittered
around the centre); venues, groups, addresses, phone numbers and links are invented (links use
example.org and example.com, phone numbers the 555-01xx and 01632 960xxx fiction ranges).
Proportions follow real directories: about 70% in person, 20% online, 10% hybrid; 5% temporarily
closed and 3% inactive; AA and NA most numerous; two to five meetings per venue.

Everything is written with bulk_create in batches, through rows included, in one transaction.
Slugs start with a run token (seed and run number), so repeated runs never collide.
"""

import datetime
import itertools
import math
import random
import re
import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from groups.models import Fellowship, Group, Language, Location, Meeting, MeetingType, Region
from groups.weektime import duration, week_minute

BATCH = 5000
VOCABULARY = "meeting-guide"
TWELVE_STEP = {"aa", "na", "ca", "ha", "pa", "nar-anon", "celebrate-recovery"}

# fmt: off
# Country -> (state name, abbreviation, zone, [(city, lat, lng, weight[, zone])]).
# Weight is a rough size: it sets the city's share of meetings and its spread.
PLACES = {
    "United States": [
        ("California", "CA", "America/Los_Angeles", [
            ("Los Angeles", 34.0522, -118.2437, 10), ("San Francisco", 37.7749, -122.4194, 7),
            ("San Diego", 32.7157, -117.1611, 7), ("San Jose", 37.3382, -121.8863, 5),
            ("Sacramento", 38.5816, -121.4944, 5), ("Oakland", 37.8044, -122.2712, 4),
            ("Fresno", 36.7378, -119.7871, 3), ("Long Beach", 33.7701, -118.1937, 3)]),
        ("New York", "NY", "America/New_York", [
            ("Manhattan", 40.7831, -73.9712, 10), ("Brooklyn", 40.6501, -73.9496, 8),
            ("Queens", 40.7282, -73.7949, 6), ("Bronx", 40.8448, -73.8648, 4),
            ("Buffalo", 42.8864, -78.8784, 3), ("Rochester", 43.1566, -77.6088, 3),
            ("Albany", 42.6526, -73.7562, 2), ("Syracuse", 43.0481, -76.1474, 2)]),
        ("Texas", "TX", "America/Chicago", [
            ("Houston", 29.7604, -95.3698, 8), ("Dallas", 32.7767, -96.7970, 7),
            ("Austin", 30.2672, -97.7431, 6), ("San Antonio", 29.4241, -98.4936, 6),
            ("Fort Worth", 32.7555, -97.3308, 4), ("El Paso", 31.7619, -106.4850, 3,
                                                   "America/Denver")]),
        ("Florida", "FL", "America/New_York", [
            ("Miami", 25.7617, -80.1918, 7), ("Orlando", 28.5383, -81.3792, 5),
            ("Tampa", 27.9506, -82.4572, 5), ("Jacksonville", 30.3322, -81.6557, 4),
            ("Fort Lauderdale", 26.1224, -80.1373, 4)]),
        ("Illinois", "IL", "America/Chicago", [
            ("Chicago", 41.8781, -87.6298, 9), ("Peoria", 40.6936, -89.5890, 2),
            ("Springfield", 39.7817, -89.6501, 2)]),
        ("Washington", "WA", "America/Los_Angeles", [
            ("Seattle", 47.6062, -122.3321, 7), ("Spokane", 47.6588, -117.4260, 3),
            ("Tacoma", 47.2529, -122.4443, 3)]),
        ("Oregon", "OR", "America/Los_Angeles", [
            ("Portland", 45.5152, -122.6784, 6), ("Eugene", 44.0521, -123.0868, 3),
            ("Salem", 44.9429, -123.0351, 2)]),
        ("Colorado", "CO", "America/Denver", [
            ("Denver", 39.7392, -104.9903, 6), ("Colorado Springs", 38.8339, -104.8214, 3),
            ("Boulder", 40.0150, -105.2705, 3)]),
        ("Arizona", "AZ", "America/Phoenix", [
            ("Phoenix", 33.4484, -112.0740, 7), ("Tucson", 32.2226, -110.9747, 4),
            ("Mesa", 33.4152, -111.8315, 3)]),
        ("Massachusetts", "MA", "America/New_York", [
            ("Boston", 42.3601, -71.0589, 7), ("Worcester", 42.2626, -71.8023, 3),
            ("Somerville", 42.3876, -71.0995, 2)]),
        ("Pennsylvania", "PA", "America/New_York", [
            ("Philadelphia", 39.9526, -75.1652, 7), ("Pittsburgh", 40.4406, -79.9959, 5),
            ("Harrisburg", 40.2732, -76.8867, 2)]),
        ("Georgia", "GA", "America/New_York", [
            ("Atlanta", 33.7490, -84.3880, 7), ("Savannah", 32.0809, -81.0912, 2)]),
        ("Michigan", "MI", "America/Detroit", [
            ("Detroit", 42.3314, -83.0458, 6), ("Grand Rapids", 42.9634, -85.6681, 3),
            ("Ann Arbor", 42.2808, -83.7430, 2)]),
        ("Ohio", "OH", "America/New_York", [
            ("Columbus", 39.9612, -82.9988, 5), ("Cleveland", 41.4993, -81.6944, 5),
            ("Cincinnati", 39.1031, -84.5120, 4)]),
        ("Minnesota", "MN", "America/Chicago", [
            ("Minneapolis", 44.9778, -93.2650, 6), ("Saint Paul", 44.9537, -93.0900, 4),
            ("Duluth", 46.7867, -92.1005, 2)]),
        ("North Carolina", "NC", "America/New_York", [
            ("Charlotte", 35.2271, -80.8431, 5), ("Raleigh", 35.7796, -78.6382, 4),
            ("Asheville", 35.5951, -82.5515, 2)]),
        ("Tennessee", "TN", "America/Chicago", [
            ("Nashville", 36.1627, -86.7816, 5), ("Memphis", 35.1495, -90.0490, 4),
            ("Knoxville", 35.9606, -83.9207, 2, "America/New_York")]),
        ("Louisiana", "LA", "America/Chicago", [
            ("New Orleans", 29.9511, -90.0715, 4), ("Baton Rouge", 30.4515, -91.1871, 2)]),
        ("Nevada", "NV", "America/Los_Angeles", [
            ("Las Vegas", 36.1699, -115.1398, 5), ("Reno", 39.5296, -119.8138, 2)]),
        ("Utah", "UT", "America/Denver", [("Salt Lake City", 40.7608, -111.8910, 4)]),
        ("New Mexico", "NM", "America/Denver", [
            ("Albuquerque", 35.0844, -106.6504, 3), ("Santa Fe", 35.6870, -105.9378, 2)]),
        ("Missouri", "MO", "America/Chicago", [
            ("St. Louis", 38.6270, -90.1994, 4), ("Kansas City", 39.0997, -94.5786, 4)]),
        ("Wisconsin", "WI", "America/Chicago", [
            ("Milwaukee", 43.0389, -87.9065, 4), ("Madison", 43.0731, -89.4012, 3)]),
        ("Maryland", "MD", "America/New_York", [("Baltimore", 39.2904, -76.6122, 5)]),
        ("Indiana", "IN", "America/Indiana/Indianapolis", [
            ("Indianapolis", 39.7684, -86.1581, 4)]),
        ("Alaska", "AK", "America/Anchorage", [("Anchorage", 61.2181, -149.9003, 2)]),
        ("Hawaii", "HI", "Pacific/Honolulu", [("Honolulu", 21.3069, -157.8583, 2)]),
    ],
    "Canada": [
        ("Ontario", "ON", "America/Toronto", [
            ("Toronto", 43.6532, -79.3832, 8), ("Ottawa", 45.4215, -75.6972, 5),
            ("Hamilton", 43.2557, -79.8711, 3), ("Kitchener", 43.4516, -80.4925, 2),
            ("Thunder Bay", 48.3809, -89.2477, 1)]),
        ("Quebec", "QC", "America/Toronto", [
            ("Montréal", 45.5017, -73.5673, 7), ("Québec", 46.8139, -71.2080, 3),
            ("Gatineau", 45.4765, -75.7013, 2)]),
        ("British Columbia", "BC", "America/Vancouver", [
            ("Vancouver", 49.2827, -123.1207, 6), ("Victoria", 48.4284, -123.3656, 3),
            ("Kelowna", 49.8880, -119.4960, 2)]),
        ("Alberta", "AB", "America/Edmonton", [
            ("Calgary", 51.0447, -114.0719, 5), ("Edmonton", 53.5461, -113.4938, 5)]),
        ("Manitoba", "MB", "America/Winnipeg", [("Winnipeg", 49.8951, -97.1384, 4)]),
        ("Saskatchewan", "SK", "America/Regina", [
            ("Saskatoon", 52.1332, -106.6700, 2), ("Regina", 50.4452, -104.6189, 2)]),
        ("Nova Scotia", "NS", "America/Halifax", [("Halifax", 44.6488, -63.5752, 3)]),
        ("Newfoundland and Labrador", "NL", "America/St_Johns", [
            ("St. John's", 47.5615, -52.7126, 2)]),
    ],
    "United Kingdom": [
        ("England", "", "Europe/London", [
            ("London", 51.5074, -0.1278, 10), ("Manchester", 53.4808, -2.2426, 6),
            ("Birmingham", 52.4862, -1.8904, 6), ("Liverpool", 53.4084, -2.9916, 5),
            ("Leeds", 53.8008, -1.5491, 4), ("Bristol", 51.4545, -2.5879, 4),
            ("Newcastle upon Tyne", 54.9783, -1.6178, 4), ("Sheffield", 53.3811, -1.4701, 3),
            ("Nottingham", 52.9548, -1.1581, 3), ("Brighton", 50.8225, -0.1372, 3),
            ("Norwich", 52.6309, 1.2974, 2), ("Plymouth", 50.3755, -4.1427, 2),
            ("Oxford", 51.7520, -1.2577, 2), ("Cambridge", 52.2053, 0.1218, 2)]),
        ("Scotland", "", "Europe/London", [
            ("Edinburgh", 55.9533, -3.1883, 4), ("Glasgow", 55.8617, -4.2583, 5),
            ("Aberdeen", 57.1497, -2.0943, 2), ("Dundee", 56.4620, -2.9707, 2),
            ("Inverness", 57.4778, -4.2247, 1)]),
        ("Wales", "", "Europe/London", [
            ("Cardiff", 51.4816, -3.1791, 3), ("Swansea", 51.6214, -3.9436, 2)]),
        ("Northern Ireland", "", "Europe/London", [
            ("Belfast", 54.5973, -5.9301, 3), ("Derry", 54.9966, -7.3086, 1)]),
    ],
    "Ireland": [
        ("Leinster", "", "Europe/Dublin", [("Dublin", 53.3498, -6.2603, 5)]),
        ("Munster", "", "Europe/Dublin", [
            ("Cork", 51.8985, -8.4756, 3), ("Limerick", 52.6638, -8.6267, 2)]),
        ("Connacht", "", "Europe/Dublin", [("Galway", 53.2707, -9.0568, 2)]),
    ],
    "Australia": [
        ("New South Wales", "NSW", "Australia/Sydney", [
            ("Sydney", -33.8688, 151.2093, 8), ("Newcastle", -32.9283, 151.7817, 3),
            ("Wollongong", -34.4278, 150.8931, 2)]),
        ("Victoria", "VIC", "Australia/Melbourne", [
            ("Melbourne", -37.8136, 144.9631, 8), ("Geelong", -38.1499, 144.3617, 2)]),
        ("Queensland", "QLD", "Australia/Brisbane", [
            ("Brisbane", -27.4698, 153.0251, 5), ("Gold Coast", -28.0167, 153.4000, 3),
            ("Cairns", -16.9186, 145.7781, 1)]),
        ("Western Australia", "WA", "Australia/Perth", [("Perth", -31.9505, 115.8605, 5)]),
        ("South Australia", "SA", "Australia/Adelaide", [
            ("Adelaide", -34.9285, 138.6007, 4)]),
        ("Tasmania", "TAS", "Australia/Hobart", [("Hobart", -42.8821, 147.3272, 2)]),
        ("Australian Capital Territory", "ACT", "Australia/Sydney", [
            ("Canberra", -35.2809, 149.1300, 2)]),
        ("Northern Territory", "NT", "Australia/Darwin", [("Darwin", -12.4634, 130.8456, 1)]),
    ],
    "New Zealand": [
        ("Auckland", "", "Pacific/Auckland", [("Auckland", -36.8485, 174.7633, 4)]),
        ("Wellington", "", "Pacific/Auckland", [("Wellington", -41.2865, 174.7762, 3)]),
        ("Canterbury", "", "Pacific/Auckland", [("Christchurch", -43.5321, 172.6362, 2)]),
    ],
}

FELLOWSHIP_WEIGHTS = {
    "aa": 45, "na": 21, "ca": 4, "ha": 1.5, "pa": 1.5, "nar-anon": 4, "refuge-recovery": 3,
    "smart-recovery": 9, "lifering": 3, "sos": 1.5, "celebrate-recovery": 4, "she-recovers": 2.5,
}
THEMES = {
    "aa": ["Serenity", "Happy Destiny", "Came to Believe", "Keep It Simple", "Into Action",
           "Design for Living", "Easy Does It", "Big Book Study", "Step Study", "Promises",
           "Daily Reflections", "Back to Basics", "Rule 62", "One Day at a Time", "Freedom"],
    "na": ["Just for Today", "Clean and Serene", "Miracles Happen", "Never Alone",
           "We Do Recover", "New Beginnings", "Living Clean", "Basic Text Study", "Free at Last"],
    "ca": ["Stepping Stones", "Second Chance", "Hope Is Alive", "Tools of Recovery"],
    "ha": ["Freedom from Bondage", "HA Big Book Study", "Solution Focused"],
    "pa": ["Clear Path", "PA Step Study", "Pills Anonymous"],
    "nar-anon": ["Courage to Change", "Hope for Families", "Serenity Circle", "Parents' Group"],
    "refuge-recovery": ["Refuge Recovery", "Mindful Recovery", "Refuge Recovery Inquiry"],
    "smart-recovery": ["SMART Recovery", "SMART Recovery Tools", "SMART Family & Friends"],
    "lifering": ["LifeRing", "LifeRing Week Ahead", "LifeRing Secular Recovery"],
    "sos": ["SOS Sobriety Group", "Secular Sobriety"],
    "celebrate-recovery": ["Celebrate Recovery", "Celebrate Recovery Step Study"],
    "she-recovers": ["She Recovers Circle", "She Recovers Together"],
}
FORMATS = {
    "aa": [("D", 30), ("SP", 14), ("BE", 8), ("ST", 9), ("B", 14), ("12x12", 5), ("LIT", 3),
           ("DR", 3), ("ABSI", 2), ("11", 3), ("TR", 3), ("GR", 2), ("LS", 2), ("H", 2)],
    "na": [("D", 35), ("SP", 15), ("BE", 10), ("ST", 10), ("LIT", 14), ("CAN", 2)],
    "ca": [("D", 35), ("SP", 15), ("BE", 10), ("ST", 12), ("B", 6)],
    "ha": [("D", 30), ("B", 20), ("ST", 15), ("SP", 10)],
    "pa": [("D", 30), ("ST", 15), ("SP", 10), ("LIT", 8)],
    "nar-anon": [("D", 35), ("BE", 12), ("ST", 12), ("LIT", 14)],
    "celebrate-recovery": [("SP", 30), ("D", 25), ("ST", 20)],
    "refuge-recovery": [("D", 40), ("MED", 20), ("BE", 12)],
    "smart-recovery": [("D", 50), ("BE", 12)],
    "lifering": [("D", 50), ("BE", 8)],
    "sos": [("D", 50), ("BE", 8)],
    "she-recovers": [("D", 40), ("MED", 12)],
}
COMMUNITY = [("W", 6), ("M", 5), ("Y", 4), ("LGBTQ", 4), ("SEN", 1), ("POC", 1)]
LANGUAGE_TYPES = {"es": "S", "fr": "FR", "pl": "POL", "ase": "ASL", "ko": "KOR", "pt": "POR",
                  "ru": "RUS", "it": "ITA", "el": "EL", "pa": "PUN", "de": "DE"}
# Languages other than English, as shares of a country's meetings.
OTHER_LANGUAGES = {
    "United States": [("es", 0.08), ("ase", 0.01), ("ko", 0.004), ("pl", 0.004),
                      ("ru", 0.003), ("pt", 0.003)],
    "Canada": [("fr", 0.05), ("es", 0.01), ("pa", 0.008), ("ase", 0.008), ("pt", 0.004)],
    "United Kingdom": [("pl", 0.03), ("bfi", 0.012), ("es", 0.004), ("pt", 0.003)],
    "Ireland": [("pl", 0.04), ("pt", 0.005)],
    "Australia": [("el", 0.006), ("it", 0.006), ("es", 0.004)],
    "New Zealand": [],
}
TIMES = [("06:30", 2), ("07:00", 7), ("07:30", 4), ("08:00", 2), ("10:00", 3), ("12:00", 9),
         ("12:30", 6), ("13:00", 2), ("17:30", 3), ("18:00", 9), ("18:30", 10), ("19:00", 17),
         ("19:30", 13), ("20:00", 10), ("21:00", 3), ("22:00", 1)]
WEEKEND_TIMES = [("09:00", 5), ("10:00", 8), ("10:30", 6), ("11:00", 5), ("16:00", 2)]
LATE_ONLINE = [("21:00", 4), ("22:00", 3), ("23:00", 2), ("06:00", 1)]
DAY_WEIGHTS = [12, 11, 10, 10, 10, 11, 13]
VENUE_PREFIXES = ["Ashgrove", "Birchfield", "Cedarbank", "Fernhill", "Glenholm", "Hazelmere",
                  "Larchwood", "Millbrook", "Northgate", "Oakridge", "Pinecrest", "Riverside",
                  "Southmead", "Thornbury", "Westfield", "Willowbank", "Harbourside", "Elmstead"]
VENUE_KINDS = ["{p} Community Centre", "St {s}'s Church Hall", "{p} Methodist Church",
               "{p} Baptist Church", "{p} Library", "{p} Health Centre", "{p} Friends House",
               "{p} Neighbourhood House", "{p} Recovery Café", "Hospital Chapel, {p}"]
SAINTS = ["Aidan", "Brendan", "Cuthbert", "Hilda", "Ninian", "Oswald", "Bride", "Mungo",
          "Gregory", "Anselm", "Lucy", "Martin", "Paul", "Mark", "Luke", "John"]
STREETS = ["Main St", "High Street", "Church Road", "Park Ave", "Station Road", "Oak St",
           "Maple Ave", "Queen St", "King Street", "Mill Lane", "Victoria Road", "Elm St",
           "Broadway", "Market Street", "Water St", "Bridge Road", "Hill Street", "Union Ave"]
CLOSED_REASONS = ["Venue closed for repairs until March", "Paused over the holiday period",
                  "Looking for a new venue; contact the group for updates"]
INACTIVE_REASONS = ["The group stopped meeting", "Merged with another meeting",
                    "The venue closed permanently"]
NOTES = ["Tea and coffee from fifteen minutes before the start.",
         "Literature is available at the meeting.", "Newcomers are welcome to arrive early.",
         "Meets in the small hall at the back of the building.", "Cameras are optional."]
# fmt: on


def slugify(text: str, max_length: int) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", " and ")).strip("-")
    return text[:max_length].rstrip("-")


def weighted(rng, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights)[0]


def hhmm(text: str) -> datetime.time:
    hours, minutes = text.split(":")
    return datetime.time(int(hours), int(minutes))


def to36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


class Generator:
    def __init__(self, rng: random.Random, token: str, stdout):
        self.rng, self.token, self.stdout = rng, token, stdout
        self.fellowships = {f.slug: f for f in Fellowship.objects.all()}
        missing = set(FELLOWSHIP_WEIGHTS) - set(self.fellowships)
        if missing:
            raise CommandError(f"Fellowships missing (run migrate): {', '.join(sorted(missing))}")
        self.type_ids = dict(
            MeetingType.objects.filter(vocabulary__slug=VOCABULARY).values_list("code", "id")
        )
        self.language_ids = dict(Language.objects.values_list("code", "id"))
        self.cities = self.ensure_regions()
        self.city_cum_weights = list(itertools.accumulate(c["weight"] for c in self.cities))
        self.fellowship_pairs = list(FELLOWSHIP_WEIGHTS.items())
        self.pending: dict[str, list] = {"locations": [], "groups": [], "meetings": []}
        self.approximate: dict[str, Location] = {}
        self.serial = 0
        self.totals = {"locations": 0, "groups": 0, "meetings": 0, "types": 0, "languages": 0}

    # Places ---------------------------------------------------------------------------------

    def ensure_regions(self) -> list[dict]:
        """Reuses regions with the same name under the same parent; creates the rest."""
        existing = {(r.parent_id, r.name): r for r in Region.objects.all()}
        slugs = set(Region.objects.values_list("slug", flat=True))

        def region(name, kind, parent, *slug_options):
            found = existing.get((parent.pk if parent else None, name))
            if found:
                return found
            options = [slugify(option, 80) for option in slug_options]
            fallback = f"{options[-1][: 79 - len(self.token)]}-{self.token}"
            slug = next((s for s in options if s not in slugs), fallback)
            slugs.add(slug)
            obj = Region.objects.create(name=name, slug=slug, kind=kind, parent=parent)
            existing[(obj.parent_id, name)] = obj
            return obj

        cities = []
        for country_name, states in PLACES.items():
            country = region(country_name, Region.Kind.COUNTRY, None, country_name)
            for state_name, abbr, zone, rows in states:
                state = region(
                    state_name,
                    Region.Kind.STATE,
                    country,
                    state_name,
                    f"{country_name} {state_name}",
                )
                for name, lat, lng, weight, *override in rows:
                    area = region(
                        name,
                        Region.Kind.AREA,
                        state,
                        name,
                        f"{name} {abbr or state_name}",
                        f"{name} {state_name} {country_name}",
                    )
                    cities.append(
                        {
                            "region": area,
                            "name": name,
                            "state": abbr,
                            "country": country_name,
                            "tz": override[0] if override else zone,
                            "centre": (lat, lng),
                            "weight": weight,
                            "radius": 3 + 1.6 * weight,
                        }
                    )
        return cities

    def jitter(self, city):
        lat0, lng0 = city["centre"]
        distance = city["radius"] * math.sqrt(self.rng.random())
        bearing = self.rng.uniform(0, 2 * math.pi)
        dlat = distance * math.cos(bearing) / 111.0
        dlng = distance * math.sin(bearing) / (111.0 * math.cos(math.radians(lat0)))
        return round(lat0 + dlat, 6), round(lng0 + dlng, 6)

    def postcode(self, city) -> str:
        rng = self.rng
        country = city["country"]
        if country == "United States":
            return f"{rng.randint(10000, 99999)}"
        if country == "Canada":
            return f"{rng.choice('KLMNHJ')}{rng.randint(1, 9)}{rng.choice('ABCEGHJ')} 1A1"
        if country in ("Australia", "New Zealand"):
            return f"{rng.randint(1000, 7999)}"
        if country == "Ireland":
            return f"D{rng.randint(1, 24):02d}"
        return f"{city['name'][:2].upper()}{rng.randint(1, 20)} {rng.randint(1, 9)}AB"

    def venue(self, city) -> Location:
        rng = self.rng
        name = rng.choice(VENUE_KINDS).format(p=rng.choice(VENUE_PREFIXES), s=rng.choice(SAINTS))
        lat, lng = self.jitter(city) if rng.random() > 0.03 else (None, None)
        location = Location(
            name=name,
            address=f"{rng.randint(2, 980)} {rng.choice(STREETS)}",
            city=city["name"],
            state=city["state"],
            postal_code=self.postcode(city),
            country=city["country"],
            latitude=lat,
            longitude=lng,
            timezone=city["tz"],
            region=city["region"],
            access_notes="Step-free entrance; accessible toilet." if rng.random() < 0.5 else "",
        )
        self.pending["locations"].append(location)
        return location

    def approximate_location(self, city) -> Location:
        key = city["region"].pk
        if key not in self.approximate:
            lat, lng = city["centre"]
            self.approximate[key] = location = Location(
                city=city["name"],
                state=city["state"],
                country=city["country"],
                latitude=round(lat, 3),
                longitude=round(lng, 3),
                approximate=True,
                timezone=city["tz"],
                region=city["region"],
                notes="Online group based here.",
            )
            self.pending["locations"].append(location)
        return self.approximate[key]

    # Groups and meetings ---------------------------------------------------------------------

    def next_slug(self, text: str, max_length: int) -> str:
        self.serial += 1
        prefix = f"{self.token}-{to36(self.serial)}-"
        return prefix + slugify(text, max_length - len(prefix))

    def group(self, fellowship: str, city, theme: str) -> Group:
        rng = self.rng
        if fellowship in TWELVE_STEP and fellowship != "celebrate-recovery":
            name = f"{city['name']} {theme} Group"
        else:
            name = f"{theme} {city['name']}"
        slug = self.next_slug(name, 80)
        public = rng.random() < 0.6
        group = Group(
            fellowship=self.fellowships[fellowship],
            name=name,
            slug=slug,
            email=f"{slug[:50]}@example.org" if public else "",
            website=f"https://{slug[:50]}.example.org/" if public and rng.random() < 0.5 else "",
        )
        self.pending["groups"].append(group)
        return group

    def languages(self, city) -> list[str]:
        if city["name"] in ("Montréal", "Québec", "Gatineau"):
            return ["fr"] if self.rng.random() < 0.8 else ["en"]
        roll, threshold = self.rng.random(), 0.0
        for code, share in OTHER_LANGUAGES[city["country"]]:
            threshold += share
            if roll < threshold:
                return [code] if self.rng.random() < 0.7 else ["en", code]
        if city["name"] in ("Cardiff", "Swansea") and self.rng.random() < 0.05:
            return ["cy"]
        return ["en"]

    def types(self, fellowship, attendance, languages, start, accessible) -> list[str]:
        rng = self.rng
        codes: list[str] = []
        if fellowship in TWELVE_STEP:
            codes.append(
                "O" if rng.random() < (0.9 if fellowship == "celebrate-recovery" else 0.55) else "C"
            )
        if fellowship == "she-recovers":
            codes.append("W")
        codes += [LANGUAGE_TYPES[code] for code in languages if code in LANGUAGE_TYPES]
        if fellowship == "aa" and start.hour < 9 and rng.random() < 0.5:
            codes.append("BRK")
        for _ in range(1 if rng.random() < 0.75 else 2):
            if rng.random() < 0.85:
                codes.append(weighted(rng, FORMATS[fellowship]))
        if fellowship != "she-recovers" and rng.random() < 0.15:
            codes.append(weighted(rng, COMMUNITY))
        if accessible and attendance != "online" and rng.random() < 0.6:
            codes.append("X")
        codes = list(dict.fromkeys(codes)) or ["D"]
        return codes[:5]

    def meeting(self, fellowship, city, group, attendance, location, day, start, name):
        rng = self.rng
        roll = rng.random()
        end = (
            None
            if roll < 0.12
            else (
                datetime.datetime.combine(datetime.date(2000, 1, 1), start)
                + datetime.timedelta(minutes=60 if roll < 0.6 else 90)
            )
        )
        url = phone = ""
        if attendance != "in_person":
            if rng.random() < 0.95:
                url = f"https://zoom.example.com/j/8{rng.randint(10**8, 10**10 - 1)}"
            if not url or rng.random() < 0.3:
                phone = f"+1 646 555 01{rng.randint(0, 99):02d},,8{rng.randint(10**8, 10**9 - 1)}#"
        roll = rng.random()
        status, reason = "active", ""
        if roll < 0.05:
            status, reason = "temporarily_closed", rng.choice(CLOSED_REASONS)
        elif roll < 0.08:
            status, reason = "inactive", rng.choice(INACTIVE_REASONS)
        languages = getattr(group, "_languages", None) or self.languages(city)
        accessible = location is not None and bool(location.access_notes)
        types = self.types(fellowship, attendance, languages, start, accessible)
        meeting = Meeting(
            fellowship=self.fellowships[fellowship],
            group=group,
            name=name,
            slug=self.next_slug(name, 64),
            day=day,
            start_time=start,
            end_time=end.time() if end else None,
            timezone=city["tz"],
            # bulk_create skips save(), which derives these two and search_text (below):
            week_minute=week_minute(day, start, city["tz"]),
            duration=duration(start, end.time() if end else None),
            attendance=attendance,
            status=status,
            status_reason=reason,
            location=location,
            conference_url=url,
            conference_phone=phone,
            notes=rng.choice(NOTES) if rng.random() < 0.2 else "",
            last_verified=datetime.date(2026, 1, 1) - datetime.timedelta(days=rng.randint(0, 500))
            if rng.random() < 0.9
            else None,
        )
        meeting.search_text = meeting.words()
        self.pending["meetings"].append((meeting, types, languages))
        if len(self.pending["meetings"]) >= BATCH:
            self.flush()

    def start_time(self, fellowship, day, attendance) -> datetime.time:
        table = TIMES + (WEEKEND_TIMES if day in (0, 6) else [])
        if fellowship == "na":
            table = table + [("20:30", 6), ("21:00", 4)]
        if attendance == "online":
            table = table + LATE_ONLINE
        return hhmm(weighted(self.rng, table))

    def run(self, city, attendances: list[str], location: Location | None) -> None:
        """A run of meetings of one fellowship in one place, usually one group's."""
        rng = self.rng
        fellowship = weighted(rng, self.fellowship_pairs)
        theme = rng.choice(THEMES[fellowship])
        group = self.group(fellowship, city, theme) if rng.random() < 0.85 else None
        if group is not None:
            group._languages = self.languages(city)
        days = set()
        start = None
        for attendance in attendances:
            weights = [w * (0.1 if d in days else 1) for d, w in enumerate(DAY_WEIGHTS)]
            day = rng.choices(range(7), weights=weights)[0]
            days.add(day)
            if start is None or rng.random() < 0.3:
                start = self.start_time(fellowship, day, attendance)
            if group is not None:
                name = group.name
            elif fellowship in TWELVE_STEP and fellowship != "celebrate-recovery":
                name = f"{theme} {'Online' if attendance == 'online' else city['name']}"
            else:
                name = theme
            place = location
            if attendance == "online":
                place = self.approximate_location(city) if rng.random() < 0.3 else None
            self.meeting(fellowship, city, group, attendance, place, day, start, name)

    def generate(self, count: int) -> None:
        rng = self.rng
        online_left = round(count * 0.20)
        venue_left = count - online_left
        while online_left or venue_left:
            city = rng.choices(self.cities, cum_weights=self.city_cum_weights)[0]
            if rng.random() * (online_left + venue_left) < online_left:
                size = min(online_left, rng.choice([1, 1, 2, 3]))
                online_left -= size
                self.run(city, ["online"] * size, None)
                continue
            capacity = min(venue_left, rng.choice([2, 2, 3, 3, 3, 4, 4, 5]))
            venue_left -= capacity
            location = self.venue(city)
            # A venue hosts one or two runs (a church hall with an AA and an NA group).
            split = rng.randint(1, capacity - 1) if capacity > 1 and rng.random() < 0.5 else 0
            for part in [capacity] if not split else [split, capacity - split]:
                kinds = ["hybrid" if rng.random() < 0.125 else "in_person" for _ in range(part)]
                self.run(city, kinds, location)
        self.flush()

    def flush(self) -> None:
        locations, groups = self.pending["locations"], self.pending["groups"]
        rows = self.pending["meetings"]
        Location.objects.bulk_create(locations, batch_size=BATCH)
        Group.objects.bulk_create(groups, batch_size=BATCH)
        meetings = [meeting for meeting, _, _ in rows]
        Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        TypeLink, LanguageLink = Meeting.types.through, Meeting.languages.through
        type_links = [
            TypeLink(meeting_id=meeting.pk, meetingtype_id=self.type_ids[code])
            for meeting, codes, _ in rows
            for code in codes
        ]
        language_links = [
            LanguageLink(meeting_id=meeting.pk, language_id=self.language_ids[code])
            for meeting, _, codes in rows
            for code in codes
        ]
        TypeLink.objects.bulk_create(type_links, batch_size=BATCH)
        LanguageLink.objects.bulk_create(language_links, batch_size=BATCH)
        for key, n in (
            ("locations", len(locations)),
            ("groups", len(groups)),
            ("meetings", len(meetings)),
            ("types", len(type_links)),
            ("languages", len(language_links)),
        ):
            self.totals[key] += n
        self.pending = {"locations": [], "groups": [], "meetings": []}


def run_token(seed: int) -> str:
    """The first `g<seed>r<n>` whose slugs are not yet in use: deterministic, never colliding."""
    n = 1
    while True:
        token = f"g{seed}r{n}"
        taken = (
            Meeting.objects.filter(slug__startswith=f"{token}-").exists()
            or Group.objects.filter(slug__startswith=f"{token}-").exists()
        )
        if not taken:
            return token
        n += 1


class Command(BaseCommand):
    help = "Add N realistic synthetic meetings, with venues, groups and regions, for load tests."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many meetings to add.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args, count, seed, **options):
        if count < 1:
            raise CommandError("--count must be 1 or more.")
        started = time.perf_counter()
        with transaction.atomic():
            token = run_token(seed)
            generator = Generator(random.Random(seed), token, self.stdout)
            generator.generate(count)
        totals = generator.totals
        self.stdout.write(
            f"Added {totals['meetings']} meetings ({totals['types']} type and "
            f"{totals['languages']} language links), {totals['groups']} groups and "
            f"{totals['locations']} locations in {len(generator.cities)} areas, run {token}, "
            f"in {time.perf_counter() - started:.1f} s."
        )
