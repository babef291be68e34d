#!/usr/bin/env python3
"""Writes the sanctions-list fixtures in this folder, and manifest.json.

Small files shaped like the official downloads (Canada SEMA/JVCFOA XML in its two element
namings, the UN Security Council Consolidated List XML, OFAC's legacy SDN.CSV/ALT.CSV,
OpenSanctions targets.simple.csv) plus three broken files. Every name is fictional. What was
checked about the real shapes, and where, is in README.md next to this script.

The output is deterministic; running it again rewrites the same bytes:

    python3 Tests/PartnerRiskTests/Fixtures/sanctions/make_fixtures.py

manifest.json holds the expected facts (keys, primary names, aliases) computed from the data
below, not by parsing the output, so it is an expectation independent of any parser.
"""

import csv
import io
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
NBSP = "\u00a0"


def write(rel, data):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as fh:
        fh.write(data)


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def squash(text):
    """What a reader should make of a published value: every run of whitespace (U+00A0
    included) is one space, and none at either end."""
    return " ".join(text.replace(NBSP, " ").split())


# ---------------------------------------------------------------------------------------
# Canada: Consolidated Canadian Autonomous Sanctions List (SEMA / JVCFOA), sema-lmes.xml
# ---------------------------------------------------------------------------------------

# logical field -> (element name before the August 2025 rename, element name after it)
CA_TAGS = [
    ("country", "Country", "Country-Pays"),
    ("last", "LastName", "LastName-NomDeFamille"),
    ("given", "GivenName", "GivenName-Prenom"),
    ("entity", "EntityOrShip", "EntityOrShip-EntiteOuNavire"),
    ("title", "TitleOrShip", "TitleOrShipType-TitreOuTypeDeNavire"),
    ("imo", "ShipIMONumber", "ShipIMONumber-NumeroOMIDuNavire"),
    ("aliases", "Aliases", "Aliases-Alias"),
    ("born", "DateOfBirthOrShipBuildDate",
     "DateOfBirthOrShipBuildDate-DateDeNaissanceOuDateDeConstructionDuNavire"),
    ("schedule", "Schedule", "Schedule-Annexe"),
    ("item", "Item", "Item-NumeroDarticle"),
    ("listed", "DateOfListing", "DateOfListing-DateDinscription"),
]

CA_ZAVARZIN = dict(country="Russia / Russie", last="ZAVARZIN", given="Timur Olegovich" + NBSP,
                   aliases="Timour Zavarzine; Timur Sawarsin", born="1969-08-14",
                   schedule="1, Part 1", item="1534", listed="2022-04-08")
CA_BELLEFLEUR = dict(country="Haiti / Haïti", last="BELLEFLEUR", given="Jean-Hérold",
                     born="1974-02-19", schedule="1, Part 1", item="12", listed="2022-11-04")
CA_SEVERNY_OLD = dict(country="Russia / Russie", entity='Limited Liability Company "Severny Put"',
                      aliases='OOO "Severny Put"; ООО "Северный Путь"',
                      schedule="1, Part 2", item="2291", listed="2023-05-19")
CA_SEVERNY_NEW = dict(CA_SEVERNY_OLD,
                      aliases='OOO "Severny Put"; ООО "Северный Путь"; Severny Put LLC')
CA_PARS_KAVEH = dict(country="Iran", entity="Pars Kaveh Tejarat Co.",
                     aliases="Pars Kaveh Trading Company",
                     schedule="1, Part 2", item="118", listed="2023-01-16")
# One alias with a comma inside it: the Russian legal form written after the name, as the
# real file does. Splitting this field on commas would invent the alias "АО".
CA_KAMA = dict(country="Russia / Russie", entity='Joint Stock Company "Kama Pribor"',
               aliases='Завод "Кама Прибор", АО',
               schedule="1, Part 2", item="1876", listed="2022-12-15")
CA_POLAR = dict(country="Russia / Russie", entity="Polar Vanguard ",
                title="Crude Oil Tanker | Pétrolier", imo="9187356", born="2004",
                schedule="1.1", item="318", listed="2025-05-20")
CA_NORDLICHT = dict(country="Russia / Russie", entity="Nordlicht Maritime Services GmbH",
                    aliases="Nordlicht Maritime",
                    schedule="1, Part 2", item="2405", listed="2025-02-24")

CA_LEGACY = [CA_ZAVARZIN, CA_BELLEFLEUR, CA_SEVERNY_OLD, CA_PARS_KAVEH, CA_KAMA, CA_POLAR]
CA_BILINGUAL = [CA_ZAVARZIN, CA_BELLEFLEUR, CA_SEVERNY_NEW, CA_KAMA, CA_POLAR, CA_NORDLICHT]


def canada_xml(records, bilingual):
    root = ('<data-set xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' if bilingual
            else "<data-set>")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', root]
    for rec in records:
        lines.append("    <record>")
        for key, old, new in CA_TAGS:
            if key in rec:
                tag = new if bilingual else old
                lines.append(f"        <{tag}>{esc(rec[key])}</{tag}>")
        lines.append("    </record>")
    lines.append("</data-set>")
    return "\n".join(lines) + "\n"


def canada_split_aliases(raw):
    return [squash(a) for a in raw.split(";") if squash(a)] if raw else []


def canada_expect(rec):
    if "imo" in rec:
        kind, name = "vessel", squash(rec["entity"])
    elif "entity" in rec:
        kind, name = "entity", squash(rec["entity"])
    else:
        kind = "individual"
        name = squash(f"{rec.get('given', '')} {rec.get('last', '')}")
    return {
        "key": {"country": rec["country"].split(" / ")[0], "schedule": rec["schedule"],
                "item": rec["item"]},
        "country_raw": rec["country"],
        "kind": kind,
        "name": name,
        "last_name": squash(rec["last"]) if "last" in rec else None,
        "given_name": squash(rec["given"]) if "given" in rec else None,
        "aliases_raw": rec.get("aliases"),
        "aliases": canada_split_aliases(rec.get("aliases")),
        "born_or_built": rec.get("born"),
        "imo": rec.get("imo"),
        "listed": rec["listed"],
    }


# ---------------------------------------------------------------------------------------
# UN Security Council Consolidated List, consolidated.xml
# ---------------------------------------------------------------------------------------

UN_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<CONSOLIDATED_LIST xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://www.un.org/sc/resources/sc-sanctions.xsd" dateGenerated="2025-06-02T23:00:02.141Z">
    <INDIVIDUALS>
        <INDIVIDUAL>
            <DATAID>6909101</DATAID>
            <VERSIONNUM>1</VERSIONNUM>
            <FIRST_NAME>HASSAN</FIRST_NAME>
            <SECOND_NAME>ABDUL KARIM</SECOND_NAME>
            <THIRD_NAME>AL-RASHIDI</THIRD_NAME>
            <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
            <REFERENCE_NUMBER>QDi.901</REFERENCE_NUMBER>
            <LISTED_ON>2019-06-11</LISTED_ON>
            <NAME_ORIGINAL_SCRIPT>حسن عبد الكريم الرشيدي </NAME_ORIGINAL_SCRIPT>
            <COMMENTS1>Money changer who moved funds for a regional affiliate of Al-Qaida. Review
pursuant to Security Council resolution 2368 (2017) was concluded on 14 Nov.
2022. INTERPOL-UN Security Council Special Notice web link:https://www.interpol.int/en/How-we-work/Notices/View-UN-Notices-Individuals</COMMENTS1>
            <DESIGNATION>
                <VALUE>Owner of a money exchange house</VALUE>
            </DESIGNATION>
            <NATIONALITY>
                <VALUE>Yemen</VALUE>
            </NATIONALITY>
            <LIST_TYPE>
                <VALUE>UN List</VALUE>
            </LIST_TYPE>
            <LAST_DAY_UPDATED>
                <VALUE>2022-11-14</VALUE>
            </LAST_DAY_UPDATED>
            <INDIVIDUAL_ALIAS>
                <QUALITY>Good</QUALITY>
                <ALIAS_NAME>Hassan al-Rashidi</ALIAS_NAME>
            </INDIVIDUAL_ALIAS>
            <INDIVIDUAL_ALIAS>
                <QUALITY>Low</QUALITY>
                <ALIAS_NAME>Abu Karim</ALIAS_NAME>
            </INDIVIDUAL_ALIAS>
            <INDIVIDUAL_ADDRESS>
                <CITY>Sana'a</CITY>
                <COUNTRY>Yemen</COUNTRY>
            </INDIVIDUAL_ADDRESS>
            <INDIVIDUAL_DATE_OF_BIRTH>
                <TYPE_OF_DATE>EXACT</TYPE_OF_DATE>
                <DATE>1972-03-05</DATE>
            </INDIVIDUAL_DATE_OF_BIRTH>
            <INDIVIDUAL_PLACE_OF_BIRTH>
                <CITY>Taiz</CITY>
                <COUNTRY>Yemen</COUNTRY>
            </INDIVIDUAL_PLACE_OF_BIRTH>
            <SORT_KEY/>
            <SORT_KEY_LAST_MOD/>
        </INDIVIDUAL>
        <INDIVIDUAL>
            <DATAID>6909102</DATAID>
            <VERSIONNUM>1</VERSIONNUM>
            <FIRST_NAME>PAK</FIRST_NAME>
            <SECOND_NAME>YONG SU</SECOND_NAME>
            <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
            <REFERENCE_NUMBER>KPi.901</REFERENCE_NUMBER>
            <LISTED_ON>2017-08-05</LISTED_ON>
            <NAME_ORIGINAL_SCRIPT>박영수</NAME_ORIGINAL_SCRIPT>
            <COMMENTS1>Representative abroad of a shipping company designated by the Committee.</COMMENTS1>
            <DESIGNATION>
                <VALUE>Shipping agent</VALUE>
            </DESIGNATION>
            <NATIONALITY>
                <VALUE>Democratic People's Republic of Korea</VALUE>
            </NATIONALITY>
            <LIST_TYPE>
                <VALUE>UN List</VALUE>
            </LIST_TYPE>
            <LAST_DAY_UPDATED>
                <VALUE/>
            </LAST_DAY_UPDATED>
            <INDIVIDUAL_ALIAS>
                <QUALITY/>
                <ALIAS_NAME/>
            </INDIVIDUAL_ALIAS>
            <INDIVIDUAL_ADDRESS>
                <COUNTRY/>
            </INDIVIDUAL_ADDRESS>
            <INDIVIDUAL_DATE_OF_BIRTH>
                <TYPE_OF_DATE>EXACT</TYPE_OF_DATE>
                <YEAR>1966</YEAR>
            </INDIVIDUAL_DATE_OF_BIRTH>
            <INDIVIDUAL_PLACE_OF_BIRTH/>
            <SORT_KEY/>
            <SORT_KEY_LAST_MOD/>
        </INDIVIDUAL>
        <INDIVIDUAL>
            <DATAID>6909103</DATAID>
            <VERSIONNUM>2</VERSIONNUM>
            <FIRST_NAME>JÉRÉMIE</FIRST_NAME>
            <SECOND_NAME>MUKENDI</SECOND_NAME>
            <THIRD_NAME>KABEYA</THIRD_NAME>
            <FOURTH_NAME>NSHIMBA</FOURTH_NAME>
            <UN_LIST_TYPE>DRC</UN_LIST_TYPE>
            <REFERENCE_NUMBER>CDi.901</REFERENCE_NUMBER>
            <LISTED_ON>2014-02-01</LISTED_ON>
            <GENDER>Male</GENDER>
            <COMMENTS1>Commander of an armed group in South Kivu that controls artisanal mining sites.</COMMENTS1>
            <TITLE>
                <VALUE>Colonel</VALUE>
            </TITLE>
            <NATIONALITY>
                <VALUE>Democratic Republic of the Congo</VALUE>
            </NATIONALITY>
            <LIST_TYPE>
                <VALUE>UN List</VALUE>
            </LIST_TYPE>
            <LAST_DAY_UPDATED>
                <VALUE>2016-10-13</VALUE>
                <VALUE>2021-06-30</VALUE>
            </LAST_DAY_UPDATED>
            <INDIVIDUAL_ALIAS>
                <QUALITY>Good</QUALITY>
                <ALIAS_NAME>Jérémie Mukendi</ALIAS_NAME>
            </INDIVIDUAL_ALIAS>
            <INDIVIDUAL_ALIAS>
                <QUALITY>Low</QUALITY>
                <ALIAS_NAME>Commandant Jérémie</ALIAS_NAME>
            </INDIVIDUAL_ALIAS>
            <INDIVIDUAL_ADDRESS>
                <CITY>Bukavu</CITY>
                <STATE_PROVINCE>South Kivu</STATE_PROVINCE>
                <COUNTRY>Democratic Republic of the Congo</COUNTRY>
            </INDIVIDUAL_ADDRESS>
            <INDIVIDUAL_DATE_OF_BIRTH>
                <TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE>
                <YEAR>1978</YEAR>
            </INDIVIDUAL_DATE_OF_BIRTH>
            <INDIVIDUAL_PLACE_OF_BIRTH>
                <CITY>Uvira</CITY>
                <COUNTRY>Democratic Republic of the Congo</COUNTRY>
            </INDIVIDUAL_PLACE_OF_BIRTH>
            <SORT_KEY/>
            <SORT_KEY_LAST_MOD/>
        </INDIVIDUAL>
    </INDIVIDUALS>
    <ENTITIES>
        <ENTITY>
            <DATAID>6909201</DATAID>
            <VERSIONNUM>1</VERSIONNUM>
            <FIRST_NAME>GOLDEN CRESCENT EXCHANGE COMPANY</FIRST_NAME>
            <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
            <REFERENCE_NUMBER>QDe.901</REFERENCE_NUMBER>
            <LISTED_ON>2019-06-11</LISTED_ON>
            <COMMENTS1>Money exchange house owned by Hassan Abdul Karim al-Rashidi (QDi.901).</COMMENTS1>
            <LIST_TYPE>
                <VALUE>UN List</VALUE>
            </LIST_TYPE>
            <LAST_DAY_UPDATED>
                <VALUE/>
            </LAST_DAY_UPDATED>
            <ENTITY_ALIAS>
                <QUALITY>a.k.a.</QUALITY>
                <ALIAS_NAME>Al-Hilal al-Dhahabi Exchange</ALIAS_NAME>
            </ENTITY_ALIAS>
            <ENTITY_ALIAS>
                <QUALITY>a.k.a.</QUALITY>
                <ALIAS_NAME>Golden Crescent Money Transfer</ALIAS_NAME>
            </ENTITY_ALIAS>
            <ENTITY_ADDRESS>
                <STREET>Al-Zubairi Street</STREET>
                <CITY>Sana'a</CITY>
                <COUNTRY>Yemen</COUNTRY>
            </ENTITY_ADDRESS>
            <SORT_KEY/>
            <SORT_KEY_LAST_MOD/>
        </ENTITY>
        <ENTITY>
            <DATAID>6909202</DATAID>
            <VERSIONNUM>1</VERSIONNUM>
            <FIRST_NAME> KORYO UNHA SHIPPING CO., LTD.</FIRST_NAME>
            <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
            <REFERENCE_NUMBER>KPe.901 </REFERENCE_NUMBER>
            <LISTED_ON>2017-08-05</LISTED_ON>
            <COMMENTS1>Owner and operator of vessels that carried prohibited cargo.</COMMENTS1>
            <LIST_TYPE>
                <VALUE>UN List</VALUE>
            </LIST_TYPE>
            <LAST_DAY_UPDATED>
                <VALUE/>
            </LAST_DAY_UPDATED>
            <ENTITY_ALIAS>
                <QUALITY>a.k.a.</QUALITY>
                <ALIAS_NAME>Unha Maritime Company</ALIAS_NAME>
            </ENTITY_ALIAS>
            <ENTITY_ADDRESS>
                <CITY>Pyongyang</CITY>
                <COUNTRY>Democratic People's Republic of Korea</COUNTRY>
            </ENTITY_ADDRESS>
            <SORT_KEY/>
            <SORT_KEY_LAST_MOD/>
        </ENTITY>
        <ENTITY>
            <DATAID>6909203</DATAID>
            <VERSIONNUM>1</VERSIONNUM>
            <FIRST_NAME>SOCIETE MINIERE DES GRANDS LACS</FIRST_NAME>
            <UN_LIST_TYPE>DRC</UN_LIST_TYPE>
            <REFERENCE_NUMBER>CDe.901</REFERENCE_NUMBER>
            <LISTED_ON>2014-02-01</LISTED_ON>
            <COMMENTS1>Buys gold from mining sites controlled by Jérémie Mukendi Kabeya Nshimba (CDi.901) &amp; exports it.</COMMENTS1>
            <LIST_TYPE>
                <VALUE>UN List</VALUE>
            </LIST_TYPE>
            <LAST_DAY_UPDATED>
                <VALUE/>
            </LAST_DAY_UPDATED>
            <ENTITY_ALIAS>
                <QUALITY>a.k.a.</QUALITY>
                <ALIAS_NAME>SOMIGL</ALIAS_NAME>
            </ENTITY_ALIAS>
            <ENTITY_ALIAS>
                <QUALITY/>
                <ALIAS_NAME/>
            </ENTITY_ALIAS>
            <ENTITY_ADDRESS>
                <STREET>Avenue du Lac</STREET>
                <CITY>Bukavu</CITY>
                <STATE_PROVINCE>South Kivu</STATE_PROVINCE>
                <COUNTRY>Democratic Republic of the Congo</COUNTRY>
            </ENTITY_ADDRESS>
            <SORT_KEY/>
            <SORT_KEY_LAST_MOD/>
        </ENTITY>
    </ENTITIES>
</CONSOLIDATED_LIST>
"""

UN_EXPECT = {
    "dateGenerated": "2025-06-02T23:00:02.141Z",
    "individuals": [
        {"dataid": "6909101", "reference_number": "QDi.901", "un_list_type": "Al-Qaida",
         "name": "HASSAN ABDUL KARIM AL-RASHIDI", "name_original_script": "حسن عبد الكريم الرشيدي",
         "listed_on": "2019-06-11", "nationality": ["Yemen"],
         "aliases": [{"quality": "Good", "name": "Hassan al-Rashidi"},
                     {"quality": "Low", "name": "Abu Karim"}]},
        {"dataid": "6909102", "reference_number": "KPi.901", "un_list_type": "DPRK",
         "name": "PAK YONG SU", "name_original_script": "박영수",
         "listed_on": "2017-08-05", "nationality": ["Democratic People's Republic of Korea"],
         "aliases": []},
        {"dataid": "6909103", "reference_number": "CDi.901", "un_list_type": "DRC",
         "name": "JÉRÉMIE MUKENDI KABEYA NSHIMBA", "name_original_script": None,
         "listed_on": "2014-02-01", "nationality": ["Democratic Republic of the Congo"],
         "aliases": [{"quality": "Good", "name": "Jérémie Mukendi"},
                     {"quality": "Low", "name": "Commandant Jérémie"}]},
    ],
    "entities": [
        {"dataid": "6909201", "reference_number": "QDe.901", "un_list_type": "Al-Qaida",
         "name": "GOLDEN CRESCENT EXCHANGE COMPANY", "listed_on": "2019-06-11",
         "aliases": [{"quality": "a.k.a.", "name": "Al-Hilal al-Dhahabi Exchange"},
                     {"quality": "a.k.a.", "name": "Golden Crescent Money Transfer"}],
         "address_countries": ["Yemen"]},
        {"dataid": "6909202", "reference_number": "KPe.901", "un_list_type": "DPRK",
         "name": "KORYO UNHA SHIPPING CO., LTD.", "listed_on": "2017-08-05",
         "aliases": [{"quality": "a.k.a.", "name": "Unha Maritime Company"}],
         "address_countries": ["Democratic People's Republic of Korea"]},
        {"dataid": "6909203", "reference_number": "CDe.901", "un_list_type": "DRC",
         "name": "SOCIETE MINIERE DES GRANDS LACS", "listed_on": "2014-02-01",
         "aliases": [{"quality": "a.k.a.", "name": "SOMIGL"}],
         "address_countries": ["Democratic Republic of the Congo"]},
    ],
}


# ---------------------------------------------------------------------------------------
# OFAC legacy flat files: SDN.CSV and ALT.CSV (no header, "-0- " for null, CRLF, 0x1A)
# ---------------------------------------------------------------------------------------

NULL = None  # written as the bare, unquoted -0- followed by one space


def ofac_field(value):
    if value is NULL:
        return "-0- "
    if isinstance(value, int):
        return str(value)
    return '"' + value.replace('"', '""') + '"'


def ofac_line(fields):
    return ",".join(ofac_field(v) for v in fields)


SDN_COLUMNS = ["ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign", "Vess_type",
               "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks"]

SDN_ROWS = [
    [40101, "KARIMOV, Rustam Bakhtiyorovich", "individual", "RUSSIA-EO14024", "General Director",
     NULL, NULL, NULL, NULL, NULL, NULL,
     "DOB 03 Mar 1975; POB Tashkent, Uzbekistan; nationality Russia; Gender Male."],
    [40102, "LIMITED LIABILITY COMPANY TEKHNOPROM IMPEKS", NULL, "RUSSIA-EO14024",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     "Secondary sanctions risk: See Section 11 of Executive Order 14024.; "
     "Organization Established Date 12 Apr 2011; Linked To: KARIMOV, Rustam Bakhtiyorovich."],
    [40103, "ANDES PACIFIC TRADING S.A. DE C.V.", NULL, "SDNTK] [ILLICIT-DRUGS-EO14059",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     "Guadalajara, Jalisco, Mexico; a.k.a. 'APT'."],
    [40104, "SUNRISE MARITIME SERVICES PRIVATE LIMITED", NULL, "IRAN-EO13846",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL],
    [40105, "OCEAN LAUREL", "vessel", "IRAN-EO13846", NULL, "9HA5123", "Crude Oil Tanker",
     "156000", "84150", "Malta", NULL,
     "Vessel Registration Identification IMO 9234563; MMSI 248123000; "
     "Linked To: SUNRISE MARITIME SERVICES PRIVATE LIMITED."],
]

ALT_COLUMNS = ["ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"]

ALT_ROWS = [
    [40101, 7001, "aka", "KARIMOV, Rustam", NULL],
    [40102, 7002, "aka", "OOO TEKHNOPROM IMPEKS", NULL],
    [40103, 7003, "nka", "ANDES PACIFIC LOGISTICS S.A. DE C.V.", NULL],
    [40105, 7004, "fka", "LAUREL STAR", NULL],
]

CRLF = "\r\n"
EOF_MARK = "\x1a"


def sdn_csv(rows):
    return CRLF.join(ofac_line(r) for r in rows) + CRLF + EOF_MARK


def alt_csv(rows):
    return CRLF.join(ofac_line(r) for r in rows) + CRLF


def ofac_type(value):
    return {"individual": "individual", "vessel": "vessel", NULL: "entity"}[value]


# ---------------------------------------------------------------------------------------
# OpenSanctions targets.simple.csv (zavod SimpleCSVExporter)
# ---------------------------------------------------------------------------------------

OS_HEADERS = ["id", "schema", "name", "aliases", "birth_date", "countries", "addresses",
              "identifiers", "sanctions", "phones", "emails", "dataset", "first_seen",
              "last_seen", "last_change"]
OS_HEADERS_WITH_PROGRAMS = OS_HEADERS[:11] + ["program_ids"] + OS_HEADERS[11:]


def os_concat(values):
    """Multi-valued cells, as the exporter writes them: sorted, joined by ';' with a nested
    csv writer (QUOTE_MINIMAL), so a value holding ';', '"' or a line break is quoted."""
    out = io.StringIO()
    csv.writer(out, dialect=csv.unix_dialect, delimiter=";", lineterminator="",
               quoting=csv.QUOTE_MINIMAL).writerow(sorted(values))
    return out.getvalue()


OS_ROWS = [
    dict(id="NK-7fQz2pLm4RtY8WkVbN3cXs", schema="Person",
         name="Oleksandr Vasylovych Hrytsenko",
         aliases=["Aleksandr Vasilyevich Gritsenko", "Олександр Васильович Гриценко"],
         birth_date=["1966-05-30"], countries=["ru", "ua"],
         addresses=["Moscow"], identifiers=[],
         sanctions=["Russia / Russie - 1, Part 1",
                    "EU-RUS - Member of the board of a company supplying the armed forces.\n"
                    "Supports actions undermining the territorial integrity of Ukraine. - 2022-03-15"],
         phones=[], emails=[], program_ids=["CA-SEMA", "EU-RUS"],
         dataset=["Canadian Consolidated Autonomous Sanctions List",
                  "EU Financial Sanctions Files (FSF)"],
         first_seen="2022-03-15T14:02:11", last_seen="2025-06-01T06:10:44",
         last_change="2024-11-20T09:31:05"),
    dict(id="NK-3hVd9sKeW2pXa6TmQr5LbZ", schema="Company",
         name="Meridian Dual-Use Technologies, Inc.",
         aliases=["Meridian Dual Use Technologies", "Meridian DUT"],
         birth_date=[], countries=["ae"],
         addresses=["Office 1204, Jumeirah Lake Towers, Dubai"], identifiers=["CN-4419027"],
         sanctions=["RUSSIA-EO14024 - 2024-02-23"],
         phones=["+971 4 000 0000"], emails=["info@meridian-dut.example"],
         program_ids=["US-RUS"],
         dataset=["US OFAC Specially Designated Nationals (SDN) List"],
         first_seen="2024-02-23T18:40:02", last_seen="2025-06-01T06:10:44",
         last_change="2024-02-23T18:40:02"),
    dict(id="NK-9rTc4nBw7YkPq2XsLm8DfG", schema="Company",
         name="Kaspiy Burovye Tekhnologii OOO",
         aliases=['ООО "Каспий Буровые Технологии"', "Kaspiy Drilling Technologies LLC"],
         birth_date=[], countries=["ru"],
         addresses=[], identifiers=["1153025000000", "3025000000"],
         sanctions=["GB-RUS - Russia"], phones=[], emails=[], program_ids=["GB-RUS"],
         dataset=["UK FCDO Sanctions List"],
         first_seen="2023-05-19T11:15:37", last_seen="2025-06-01T06:10:44",
         last_change="2023-05-19T11:15:37"),
    dict(id="NK-5mWq8zHc3JvRt9NpYb2KeA", schema="Organization",
         name="Front for the Liberation of the Northern Coast",
         aliases=["FLNC", "Northern Coast Liberation Front"],
         birth_date=[], countries=[], addresses=[], identifiers=[],
         sanctions=["SDGT - Foreign Terrorist Organization"], phones=[], emails=[],
         program_ids=["US-SDGT"],
         dataset=["US OFAC Specially Designated Nationals (SDN) List"],
         first_seen="2021-09-01T08:00:00", last_seen="2025-06-01T06:10:44",
         last_change="2023-01-10T12:45:19"),
    dict(id="NK-2bLs6qFv9XcTw4RmZp7HnE", schema="Person",
         name="Marie-Hélène Dufresne-Ochoa",
         aliases=["Marie Helene Dufresne", "María Elena Ochoa"],
         birth_date=["1979-03-14", "1980"], countries=["ht", "ve"],
         addresses=[], identifiers=[],
         sanctions=["Haiti / Haïti - 1, Part 1"], phones=[], emails=[],
         program_ids=["CA-SEMA"],
         dataset=["Canadian Consolidated Autonomous Sanctions List"],
         first_seen="2022-11-04T16:20:55", last_seen="2025-06-01T06:10:44",
         last_change="2022-11-04T16:20:55"),
]


def os_csv(rows, with_programs):
    out = io.StringIO()
    writer = csv.writer(out, dialect=csv.unix_dialect)
    writer.writerow(OS_HEADERS_WITH_PROGRAMS if with_programs else OS_HEADERS)
    for r in rows:
        cells = [r["id"], r["schema"], r["name"], os_concat(r["aliases"]),
                 os_concat(r["birth_date"]), os_concat(r["countries"]), os_concat(r["addresses"]),
                 os_concat(r["identifiers"]), os_concat(r["sanctions"]), os_concat(r["phones"]),
                 os_concat(r["emails"])]
        if with_programs:
            cells.append(os_concat(r["program_ids"]))
        cells += [os_concat(r["dataset"]), r["first_seen"], r["last_seen"], r["last_change"]]
        writer.writerow(cells)
    return out.getvalue()


def os_expect(r):
    return {k: (sorted(v) if isinstance(v, list) else v) for k, v in r.items()}


# ---------------------------------------------------------------------------------------
# Broken files
# ---------------------------------------------------------------------------------------

TRUNCATE_AFTER = 'EntityOrShip-EntiteOuNavire>Limited Liability Company "Sev'


def truncated_xml():
    full = canada_xml(CA_BILINGUAL, bilingual=True)
    cut = full.index(TRUNCATE_AFTER) + len(TRUNCATE_AFTER)
    return full[:cut]


def sdn_bad_rows():
    rows = [list(r) for r in SDN_ROWS[:4]]
    del rows[2][4]  # third row: the Title column dropped, 11 fields instead of 12
    return rows


UNKNOWN_TXT = """Partner due-diligence questionnaire - notes from the call
=========================================================

Spoke with the compliance officer on Tuesday. They will send the signed
declaration and the ownership chart by Friday; the registry extract is
still pending at the chamber of commerce.

Open points:
  1. confirm the ultimate beneficial owner's nationality
  2. ask whether any shipment went through Bandar Abbas in 2024
"""


def main():
    write("canada-sema-legacy.xml", canada_xml(CA_LEGACY, bilingual=False))
    write("canada-sema-bilingual.xml", canada_xml(CA_BILINGUAL, bilingual=True))
    write("un-consolidated.xml", UN_XML)
    write("ofac/sdn.csv", sdn_csv(SDN_ROWS))
    write("ofac/alt.csv", alt_csv(ALT_ROWS))
    write("opensanctions-targets.simple.csv", os_csv(OS_ROWS, with_programs=False))
    write("opensanctions-targets.simple-program_ids.csv", os_csv(OS_ROWS, with_programs=True))

    truncated = truncated_xml()
    write("malformed/truncated.xml", truncated)
    bad = sdn_csv(sdn_bad_rows())
    write("malformed/sdn-bad-row.csv", bad)
    write("malformed/unknown.txt", UNKNOWN_TXT)

    legacy_keys = {json.dumps(canada_expect(r)["key"], ensure_ascii=False) for r in CA_LEGACY}
    bilingual_keys = {json.dumps(canada_expect(r)["key"], ensure_ascii=False) for r in CA_BILINGUAL}
    changed = [canada_expect(n)["key"] for n in CA_BILINGUAL for o in CA_LEGACY
               if canada_expect(n)["key"] == canada_expect(o)["key"] and n != o]

    alt_by_ent = {}
    for ent, num, kind, name, _ in ALT_ROWS:
        alt_by_ent.setdefault(ent, []).append({"alt_num": num, "alt_type": kind, "name": name})

    manifest = {
        "canada-sema-legacy.xml": [canada_expect(r) for r in CA_LEGACY],
        "canada-sema-bilingual.xml": [canada_expect(r) for r in CA_BILINGUAL],
        "canada-diff-legacy-to-bilingual": {
            "added": [json.loads(k) for k in sorted(bilingual_keys - legacy_keys)],
            "removed": [json.loads(k) for k in sorted(legacy_keys - bilingual_keys)],
            "changed": changed,
        },
        "un-consolidated.xml": UN_EXPECT,
        "ofac/sdn.csv": [
            {"ent_num": r[0], "name": r[1], "type": ofac_type(r[2]), "program_raw": r[3],
             "programs": r[3].split("] ["), "aliases": alt_by_ent.get(r[0], [])}
            for r in SDN_ROWS],
        "opensanctions-targets.simple.csv": [os_expect({k: v for k, v in r.items()
                                                        if k != "program_ids"}) for r in OS_ROWS],
        "opensanctions-targets.simple-program_ids.csv": [os_expect(r) for r in OS_ROWS],
        "malformed": {
            "truncated.xml": {"lines": truncated.count("\n") + 1,
                              "ends_inside": "EntityOrShip-EntiteOuNavire of the third <record>"},
            "sdn-bad-row.csv": {"bad_line": 3, "fields_on_bad_line": 11, "expected_fields": 12},
            "unknown.txt": {"format": None},
        },
    }
    write("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
