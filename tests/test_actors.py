"""Actor resolution: registry data, phrase resolution, user extension and coreference."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pycountry
import pytest

from flashpoint.errors import FlashpointError
from flashpoint.resolve.actors import (
    ActorRegistry,
    DocumentActors,
    ResolvedActor,
    country_of_text,
    resolve_actor,
    resolve_actors,
)
from flashpoint.resolve.actors.build import REGISTRY_FILE, build_registry, dump_registry

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXAMPLE = SHARED / "examples" / "anadolu-2024-01-24-us-strikes-iraq.txt"
WIKIEVENTS = SHARED / "data" / "wikievents" / "dev.jsonl"


@pytest.fixture(scope="module")
def registry() -> ActorRegistry:
    return ActorRegistry.default()


# --- registry data ------------------------------------------------------------------------


def test_shipped_registry_is_current() -> None:
    assert REGISTRY_FILE.read_text(encoding="utf-8") == dump_registry(build_registry()), (
        "registry.json is stale: run scripts/build_actors.py"
    )


def test_load_is_fast_and_default_is_cached() -> None:
    start = time.perf_counter()
    ActorRegistry.load()
    assert time.perf_counter() - start < 0.5
    assert ActorRegistry.default() is ActorRegistry.default()


def test_every_pycountry_country_is_a_state(registry: ActorRegistry) -> None:
    missing = [c.alpha_3 for c in pycountry.countries if c.alpha_3 not in registry.states]
    assert missing == []
    assert all(s.adjectives for s in registry.states.values() if s.iso3 in {"IRN", "YEM", "ARE"})


def test_registry_covers_many_named_actors(registry: ActorRegistry) -> None:
    counts = registry.counts()
    non_state = sum(n for k, n in counts.items() if k not in {"state", "person"})
    assert non_state >= 150
    for kind in ("militia", "rebel", "terrorist", "igo", "ngo", "media", "party", "person"):
        assert counts[kind] >= 10, kind


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("US", "USA"), ("U.S.", "USA"), ("USA", "USA"), ("United States", "USA"),
        ("America", "USA"), ("American", "USA"), ("UK", "GBR"), ("Britain", "GBR"),
        ("British", "GBR"), ("Russia", "RUS"), ("Iran", "IRN"), ("Iranian", "IRN"),
        ("Syria", "SYR"), ("South Korea", "KOR"), ("DPRK", "PRK"), ("North Korea", "PRK"),
        ("Türkiye", "TUR"), ("Turkey", "TUR"), ("Turkish", "TUR"), ("Palestine", "PSE"),
        ("Palestinian", "PSE"), ("Israeli", "ISR"), ("Ukrainian", "UKR"), ("Yemeni", "YEM"),
        ("Iraqi", "IRQ"), ("Emirati", "ARE"), ("Saudi", "SAU"), ("Iraq's", "IRQ"),
        ("the US", "USA"), ("Côte d'Ivoire", "CIV"), ("Ivory Coast", "CIV"), ("Filipinos", "PHL"),
        ("DR Congo", "COD"), ("Kosovo", "XKX"),
    ],
)
def test_country_of_text(text: str, iso3: str) -> None:
    assert country_of_text(text) == iso3


@pytest.mark.parametrize("text", ["us", "Hamas", "the region", "Moscow", "Latin America", ""])
def test_country_of_text_rejects_non_countries(text: str) -> None:
    assert country_of_text(text) is None


# --- resolution of named actors -----------------------------------------------------------


def _check(found: ResolvedActor | None, name: str, kind: str, country: str | None,
           sponsor: str | None = None) -> None:
    assert found is not None
    assert (found.name, found.kind, found.country, found.sponsor) == (name, kind, country, sponsor)


@pytest.mark.parametrize(
    ("text", "name", "kind", "country", "sponsor"),
    [
        ("Kataib Hezbollah", "Kataib Hezbollah", "militia", "IRQ", "IRN"),
        ("Kata'ib Hizballah", "Kataib Hezbollah", "militia", "IRQ", "IRN"),
        ("KATAIB HEZBOLLAH", "Kataib Hezbollah", "militia", "IRQ", "IRN"),
        ("KH", "Kataib Hezbollah", "militia", "IRQ", "IRN"),
        ("the Iranian-backed group Kataib Hezbollah", "Kataib Hezbollah", "militia", "IRQ", "IRN"),
        ("the Islamic Resistance in Iraq", "Islamic Resistance in Iraq", "militia", "IRQ", "IRN"),
        ("Yemen's Iran-backed Houthis", "Houthis", "rebel", "YEM", "IRN"),
        ("Ansar Allah", "Houthis", "rebel", "YEM", "IRN"),
        ("the Palestinian group Hamas", "Hamas", "militia", "PSE", "IRN"),
        ("Qassam Brigades", "Izz ad-Din al-Qassam Brigades", "militia", "PSE", "IRN"),
        ("Daesh", "Islamic State", "terrorist", None, None),
        ("ISIL", "Islamic State", "terrorist", None, None),
        ("Daesh/ISIS", "Islamic State", "terrorist", None, None),
        ("ISIS-K", "Islamic State Khorasan Province", "terrorist", "AFG", None),
        ("ISWAP", "Islamic State West Africa Province", "terrorist", "NGA", None),
        ("al-Qaida", "Al-Qaeda", "terrorist", None, None),
        ("AQAP", "Al-Qaeda in the Arabian Peninsula", "terrorist", "YEM", None),
        ("al-Shabab", "Al-Shabaab", "terrorist", "SOM", None),
        ("JNIM", "Jama'at Nusrat al-Islam wal-Muslimin", "terrorist", "MLI", None),
        ("Boko Haram", "Boko Haram", "terrorist", "NGA", None),
        ("HTS", "Hayat Tahrir al-Sham", "rebel", "SYR", None),
        ("the SDF", "Syrian Democratic Forces", "militia", "SYR", "USA"),
        ("PKK", "Kurdistan Workers' Party", "rebel", "TUR", None),
        ("the Wagner Group", "Wagner Group", "militia", "RUS", None),
        ("the Pakistani Taliban", "Tehrik-i-Taliban Pakistan", "terrorist", "PAK", None),
        ("RSF", "Rapid Support Forces", "militia", "SDN", None),
        ("M23 rebels", "March 23 Movement", "rebel", "COD", "RWA"),
        ("the ELN", "National Liberation Army (Colombia)", "rebel", "COL", None),
        ("the UN", "United Nations", "igo", None, None),
        ("NATO", "NATO", "igo", None, None),
        ("the IAEA", "International Atomic Energy Agency", "igo", None, None),
        ("ECOWAS", "ECOWAS", "igo", None, None),
        ("Doctors Without Borders", "Médecins Sans Frontières", "ngo", None, None),
        ("HRW", "Human Rights Watch", "ngo", None, None),
        ("Reuters", "Reuters", "media", "GBR", None),
        ("Russia's state-run Tass news agency", "TASS", "media", "RUS", None),
        ("the Pentagon", "Pentagon", "military", "USA", None),
        ("US Central Command (CENTCOM)", "US Central Command", "military", "USA", None),
        ("the U.S. State Department", "US State Department", "government", "USA", None),
        ("the Kremlin", "Kremlin", "government", "RUS", None),
        ("the IDF", "Israel Defense Forces", "military", "ISR", None),
    ],
)
def test_named_actors(text: str, name: str, kind: str, country: str | None,
                      sponsor: str | None) -> None:
    _check(resolve_actor(text), name, kind, country, sponsor)


@pytest.mark.parametrize(
    ("text", "name", "method"),
    [
        ("Kataib Hizbullah", "Kataib Hezbollah", "translit"),
        ("Hayat Tahrir al-Shaam", "Hayat Tahrir al-Sham", "translit"),
        ("Tehreek-i-Taliban Pakistan", "Tehrik-i-Taliban Pakistan", "translit"),
        ("Hezbolah", "Hezbollah", "translit"),
        ("Lashkar-e-Taybah", "Lashkar-e-Taiba", "translit"),
        ("Zapatista Army of Natonal Liberation", "Zapatista Army of National Liberation", "fuzzy"),
    ],
)
def test_transliterations_and_misspellings(text: str, name: str, method: str) -> None:
    found = resolve_actor(text)
    assert found is not None and found.name == name and found.method == method
    assert found.score < 0.9  # below exact matches


def test_acronyms_are_case_sensitive() -> None:
    assert resolve_actor("US") is not None and resolve_actor("us") is None
    assert resolve_actor("IS") is not None and resolve_actor("is") is None
    assert resolve_actor("WHO") is not None and resolve_actor("who") is None


def test_capitals_stand_for_governments_only_alone() -> None:
    moscow = resolve_actor("Moscow")
    assert moscow is not None and moscow.country == "RUS" and moscow.method == "metonym"
    assert resolve_actor("east London") is None
    assert resolve_actor("London Bridge") is None


# --- head-noun phrases --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "kind", "country", "sponsor"),
    [
        ("Iranian-backed militants", "Iran-backed militias", "militia", None, "IRN"),
        ("Iran-backed groups", "Iran-backed militias", "militia", None, "IRN"),
        ("Iranian-sponsored militias", "Iran-backed militias", "militia", None, "IRN"),
        ("other Iran-affiliated groups", "Iran-backed militias", "militia", None, "IRN"),
        ("pro-Iranian militias", "Iran-backed militias", "militia", None, "IRN"),
        ("militias backed by Iran", "Iran-backed militias", "militia", None, "IRN"),
        ("Iranian-backed militants in western Iraq", "Iran-backed militias", "militia", "IRQ",
         "IRN"),
        ("Iraq's Iran-backed militias", "Iran-backed militias", "militia", "IRQ", "IRN"),
        ("Iranian proxies", "Iran-backed militias", "militia", None, "IRN"),
        ("Russian-backed separatists", "Russia-backed rebels", "rebel", None, "RUS"),
        ("a pro-Assad militia", "Pro-Assad militias", "militia", None, "SYR"),
        ("Israeli soldiers", "Israeli military", "military", "ISR", None),
        ("the Israeli army", "Israeli military", "military", "ISR", None),
        ("Israeli warplanes", "Israeli military", "military", "ISR", None),
        ("US forces", "US military", "military", "USA", None),
        ("US troops", "US military", "military", "USA", None),
        ("Russian forces", "Russian military", "military", "RUS", None),
        ("Ukraine's military", "Ukrainian military", "military", "UKR", None),
        ("Three other Russian military personnel", "Russian military", "military", "RUS", None),
        ("Russia's Defense Ministry", "Russian military", "military", "RUS", None),
        ("forces loyal to Assad", "Syrian military", "military", "SYR", None),
        ("Iraq's government", "Iraqi government", "government", "IRQ", None),
        ("the Syrian regime", "Syrian government", "government", "SYR", None),
        ("a US official", "US government", "government", "USA", None),
        ("Iraqi police", "Iraqi police", "police", "IRQ", None),
        ("Pakistani security forces", "Pakistani police", "police", "PAK", None),
        ("the Saudi-led coalition", "Saudi-led coalition", "military", "SAU", None),
        ("Syrian rebels", "Syrian rebels", "rebel", "SYR", None),
        ("Palestinian militants", "Palestinian militants", "militia", "PSE", None),
        ("jihadist militants", "Jihadist militants", "terrorist", None, None),
        ("Kurdish fighters", "Kurdish fighters", "militia", None, None),
        ("armed men", "Gunmen", "militia", None, None),
        ("unidentified gunmen", "Gunmen", "militia", None, None),
        ("civilians", "Civilians", "civilians", None, None),
        ("people", "Civilians", "civilians", None, None),
        ("nearly 25,500 people", "Civilians", "civilians", None, None),
        ("residents", "Civilians", "civilians", None, None),
        ("children", "Civilians", "civilians", None, None),
        ("Ukrainian civilians", "Ukrainian civilians", "civilians", "UKR", None),
        ("Palestinians", "Palestinian civilians", "civilians", "PSE", None),
        ("protesters", "Protesters", "civilians", None, None),
        ("commercial ships", "Commercial ships", "other", None, None),
        ("Iranian state media", "Iranian state media", "media", "IRN", None),
        ("their Iranian sponsors", "Iran", "state", "IRN", None),
        ("the US", "United States", "state", "USA", None),
        ("Israel", "Israel", "state", "ISR", None),
    ],
)
def test_head_noun_phrases(text: str, name: str, kind: str, country: str | None,
                           sponsor: str | None) -> None:
    _check(resolve_actor(text), name, kind, country, sponsor)


def test_state_bodies_share_ids_across_wordings() -> None:
    ids = {resolve_actor(t).actor_id for t in  # type: ignore[union-attr]
           ("Israeli soldiers", "the Israeli army", "Israel's military", "Israeli troops")}
    assert ids == {"ISR.military"}


def test_generic_descriptions_are_marked() -> None:
    generic = resolve_actor("Iran-backed groups")
    named = resolve_actor("Kataib Hezbollah")
    assert generic is not None and generic.generic and generic.actor_id is None
    assert named is not None and not named.generic and named.actor_id == "kataib-hezbollah"


def test_unknown_name_introduced_by_head_noun() -> None:
    found = resolve_actor("the Iraqi militia Liwa Abu al-Fadl al-Abbas")
    assert found is not None
    assert (found.name, found.kind, found.country, found.method) == (
        "Liwa Abu al-Fadl al-Abbas", "militia", "IRQ", "apposition")


@pytest.mark.parametrize(
    "text",
    [
        "conflict", "the region", "measures", "further measures",
        "Iraq's Ain al-Asad military base",
        "multiple ballistic missiles and rockets", "the base's air defense systems", "drones",
        "the convoy", "Latin America", "he", "it", "they", "these groups", "the group",
        "Austin", "a network", "Tuesday", "",
    ],
)
def test_non_actors_return_none(text: str) -> None:
    assert resolve_actor(text) is None


def test_coordinated_mentions_distribute_the_head() -> None:
    found = resolve_actors("U.S. and Coalition personnel")
    assert [f.name for f in found] == ["US military", "Coalition"]
    assert resolve_actor("U.S. and Coalition personnel").actor_id == "USA.military"  # type: ignore[union-attr]
    both = resolve_actors("Israeli and Palestinian civilians")
    assert [(f.name, f.country) for f in both] == [
        ("Israeli civilians", "ISR"), ("Palestinian civilians", "PSE")]
    assert [f.name for f in resolve_actors("Israel and Hamas")] == ["Israel", "Hamas"]
    assert [f.name for f in resolve_actors("Bosnia and Herzegovina")] == ["Bosnia and Herzegovina"]


def test_to_actor_builds_contract_record() -> None:
    found = resolve_actor("Yemen's Iran-backed Houthis")
    assert found is not None
    actor = found.to_actor("source", "Yemen's Iran-backed Houthis", (10, 37))
    assert actor.to_dict() == {
        "role": "source", "text": "Yemen's Iran-backed Houthis", "name": "Houthis",
        "country": "YEM", "kind": "rebel", "span": [10, 37], "sponsor": "IRN",
        "actor_id": "houthis",
    }


# --- people -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Defense Secretary Lloyd Austin", "U.S. Secretary of Defense Lloyd Austin", "Lloyd Austin",
     "Lloyd J. Austin III"],
)
def test_known_person(text: str) -> None:
    found = resolve_actor(text)
    assert found is not None
    assert (found.name, found.kind, found.country, found.actor_id) == (
        "Lloyd Austin", "person", "USA", "lloyd-austin")
    assert found.role == "Secretary of Defense" and found.affiliation == "government/defence"


@pytest.mark.parametrize(
    ("text", "name", "country", "role", "affiliation"),
    [
        ("Interior Minister Jane Roe", "Jane Roe", None, "Interior Minister",
         "government/interior"),
        ("French Interior Minister Jean Dupont", "Jean Dupont", "FRA", "Interior Minister",
         "government/interior"),
        ("Iraq's Minister of Foreign Affairs Ali Hassan", "Ali Hassan", "IRQ",
         "Minister of Foreign Affairs", "government/foreign"),
        ("Defense Secretary John Smith", "John Smith", "USA", "Defense Secretary",
         "government/defence"),
        ("Major General Vyacheslav Gladkikh", "Vyacheslav Gladkikh", None, "Major General",
         "military"),
        ("Russian Maj. Gen. Ivan Petrov", "Ivan Petrov", "RUS", "Maj Gen", "military"),
        ("Hamas official Basem Naim", "Basem Naim", "PSE", "Official", "Hamas"),
        ("Pentagon spokesperson Sabrina Singh", "Sabrina Singh", "USA", "Spokesperson",
         "military"),
        ("an Israeli army spokesman, Lt. Col. Peter Lerner", "Peter Lerner", "ISR",
         "Army Spokesman", "military"),
    ],
)
def test_titled_people(text: str, name: str, country: str | None, role: str,
                       affiliation: str) -> None:
    found = resolve_actor(text)
    assert found is not None and found.kind == "person" and found.method == "title"
    assert (found.name, found.country, found.role, found.affiliation) == (
        name, country, role, affiliation)


def test_titles_without_names() -> None:
    spokesman = resolve_actor("a Pentagon spokesman")
    assert spokesman is not None and spokesman.actor_id == "usa-pentagon"
    president = resolve_actor("the President")
    assert president is not None and president.kind == "person" and president.generic
    assert resolve_actor("Colonel") is None


def test_person_names_need_a_title_or_a_label() -> None:
    assert resolve_actor("Netanyahu") is None
    found = resolve_actor("Netanyahu", label="PERSON")
    assert found is not None and found.actor_id == "benjamin-netanyahu"
    unknown = resolve_actor("Christophe Castaner", label="PERSON")
    assert unknown is not None and unknown.kind == "person" and unknown.method == "label"
    assert resolve_actor("President Biden").actor_id == "joe-biden"  # type: ignore[union-attr]


# --- user extension -----------------------------------------------------------------------


def test_user_yaml_and_csv_extend_and_override(tmp_path: Path) -> None:
    yaml_file = tmp_path / "local.yaml"
    yaml_file.write_text(
        "actors:\n"
        "  - name: Liwa al-Mithal\n"
        "    kind: militia\n"
        "    country: Syria\n"
        "    sponsor: IR\n"
        "    aliases: [Example Brigade, Liwa al Mithal]\n"
        "    acronyms: [LXM]\n"
        "  - id: houthis\n"
        "    name: Ansar Allah movement\n"
        "    kind: rebel\n"
        "    country: YEM\n"
        "    aliases: [Houthis]\n",
        encoding="utf-8",
    )
    csv_file = tmp_path / "local.csv"
    csv_file.write_text(
        "# local additions\n"
        "id,name,kind,country,sponsor,aliases,acronyms\n"
        "example-front,Example Front,rebel,MLI,,Front Exemple|Example Liberation Front,EXF\n",
        encoding="utf-8",
    )
    reg = ActorRegistry.load([yaml_file, csv_file])
    _check(resolve_actor("the Example Brigade", registry=reg), "Liwa al-Mithal", "militia",
           "SYR", "IRN")
    assert resolve_actor("LXM", registry=reg).actor_id == "liwa-al-mithal"  # type: ignore[union-attr]
    _check(resolve_actor("Front Exemple", registry=reg), "Example Front", "rebel", "MLI")
    assert resolve_actor("EXF", registry=reg) is not None
    assert resolve_actor("exf", registry=reg) is None
    overridden = resolve_actor("the Houthis", registry=reg)
    assert overridden is not None and overridden.name == "Ansar Allah movement"
    assert overridden.sponsor is None
    assert resolve_actor("LXM") is None  # the default registry is untouched
    assert reg.counts()["militia"] == ActorRegistry.default().counts()["militia"] + 1


@pytest.mark.parametrize(
    ("content", "suffix", "code"),
    [
        ("- name: X Front\n  kind: warlord\n", ".yaml", "E050"),
        ("- kind: militia\n", ".yaml", "E051"),
        ("- name: X Front\n  kind: militia\n  country: Atlantis\n", ".yaml", "E050"),
        ("- name: X Front\n  kind: militia\n  colour: red\n", ".yaml", "E050"),
        ("name: not a list\n", ".yaml", "E050"),
        ("- [unclosed\n", ".yaml", "E050"),
        ("name,kind\nX Front,\n", ".csv", "E051"),
    ],
)
def test_bad_user_files_raise_catalogued_errors(tmp_path: Path, content: str, suffix: str,
                                                code: str) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FlashpointError) as info:
        ActorRegistry.load([path])
    assert info.value.code == code


def test_missing_user_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FlashpointError) as info:
        ActorRegistry.load([tmp_path / "absent.yaml"])
    assert info.value.code == "E050"


# --- coreference --------------------------------------------------------------------------

ARTICLE = (
    "Defense Secretary Lloyd Austin said the strikes hit the Iranian-backed group Kataib "
    "Hezbollah. The group has attacked US forces. Austin said he would act. "
    "The Israeli army said the army had struck Hamas. The militants fired back. "
    "Islamic Resistance in Iraq (IRI) claimed an attack; IRI said it was a warning. "
    "Iran said the country's army was on alert."
)


def _feed(doc: DocumentActors, text: str, mention: str, start: int = 0,
          speaker: bool = False) -> tuple[ResolvedActor | None, int]:
    i = text.index(mention, start)
    return doc.resolve(mention, (i, i + len(mention)), speaker=speaker), i + len(mention)


def test_plural_anaphor_prefers_groups_named_as_many() -> None:
    text = ("Iranian-sponsored militias attacked the base. Troops fought Daesh/ISIS in Syria. "
            "We call on these groups to stop. The group did not answer.")
    doc = DocumentActors()
    pos = 0
    for mention, name in [("Iranian-sponsored militias", "Iran-backed militias"),
                          ("Daesh/ISIS", "Islamic State"),
                          ("these groups", "Iran-backed militias"),  # plural: the militias
                          ("The group", "Islamic State")]:  # singular: the group named as one
        found, pos = _feed(doc, text, mention, pos)
        assert found is not None and found.name == name, (mention, found)


def test_document_coreference() -> None:
    doc = DocumentActors()
    pos = 0
    expected = [
        ("Defense Secretary Lloyd Austin", "Lloyd Austin", "name"),
        ("the Iranian-backed group Kataib Hezbollah", "Kataib Hezbollah", "name"),
        ("The group", "Kataib Hezbollah", "coref"),
        ("US forces", "US military", "head"),
        ("Austin", "Lloyd Austin", "coref"),
        ("he", "Lloyd Austin", "coref"),
        ("The Israeli army", "Israeli military", "head"),
        ("the army", "Israeli military", "coref"),
        ("Hamas", "Hamas", "name"),
        ("The militants", "Hamas", "coref"),
        ("Islamic Resistance in Iraq (IRI)", "Islamic Resistance in Iraq", "name"),
        ("IRI", "Islamic Resistance in Iraq", "coref"),
        ("Iran", "Iran", "name"),
        ("the country's army", "Iranian military", "head"),
    ]
    for mention, name, method in expected:
        found, pos = _feed(doc, ARTICLE, mention, pos)
        assert found is not None, mention
        assert (found.name, found.method) == (name, method), mention
    assert len(doc.mentions) == len(expected)


def test_coreference_needs_an_antecedent() -> None:
    doc = DocumentActors()
    assert doc.resolve("he", (0, 2)) is None
    assert doc.resolve("the group", (3, 12)) is None
    militants = doc.resolve("the militants", (13, 26))
    assert militants is not None and militants.method == "head" and militants.generic
    doc.resolve("Hamas", (30, 35))
    assert doc.resolve("it", (40, 42)) is None
    doc.resolve("Doctors Without Borders", (50, 73))
    organisation = doc.resolve("the organisation", (80, 96))
    assert organisation is not None and organisation.name == "Médecins Sans Frontières"
    assert doc.resolve("the group", (100, 109)).name == "Hamas"  # type: ignore[union-attr]
    spoke = doc.resolve("it", (110, 112), speaker=True)
    assert spoke is not None and spoke.name == "Hamas"


@pytest.mark.corpus
@pytest.mark.skipif(not EXAMPLE.exists(), reason="shared example article not available")
def test_example_article_mentions() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    doc = DocumentActors()
    pos = 0
    checks = [
        ("U.S. Secretary of Defense Lloyd Austin", "Lloyd Austin", "USA", None),
        ("the Iranian-backed group Kataib Hezbollah", "Kataib Hezbollah", "IRQ", "IRN"),
        ("other Iran-affiliated groups", "Iran-backed militias", None, "IRN"),
        ("U.S. and Coalition personnel", "US military", "USA", None),
        ("Iranian-sponsored militias", "Iran-backed militias", None, "IRN"),
        ("Austin", "Lloyd Austin", "USA", None),
        ("The President", "President", None, None),
        ("he", "Lloyd Austin", "USA", None),
        ("these groups", "Iran-backed militias", None, "IRN"),
        ("their Iranian sponsors", "Iran", "IRN", None),
        ("the Islamic Resistance in Iraq", "Islamic Resistance in Iraq", "IRQ", "IRN"),
        ("US Central Command (CENTCOM)", "US Central Command", "USA", None),
        ("Iranian-backed militants", "Iran-backed militias", None, "IRN"),
        ("it", "US Central Command", "USA", None),
        ("the Palestinian group Hamas", "Hamas", "PSE", "IRN"),
        ("Yemen's Iran-backed Houthis", "Houthis", "YEM", "IRN"),
        ("commercial ships", "Commercial ships", None, None),
        ("nearly 25,500 people", "Civilians", None, None),
    ]
    for mention, name, country, sponsor in checks:
        # "it wrote on X": the pronoun is the subject of a speech verb.
        found, pos = _feed(doc, text, mention, pos, speaker=mention == "it")
        assert found is not None, mention
        assert (found.name, found.country, found.sponsor) == (name, country, sponsor), mention


@pytest.mark.corpus
@pytest.mark.skipif(not WIKIEVENTS.exists(), reason="shared wikievents data not available")
def test_wikievents_non_actor_mentions_mostly_resolve_to_none() -> None:
    """Gold weapons, places, facilities and values should rarely be taken for actors."""
    non_actor_types = {"WEA", "LOC", "FAC", "COM", "VAL", "MHI", "MON", "ABS"}
    pronoun = re.compile(r"^(he|she|they|them|him|her|his|their|it|its|who|we|us|i)$", re.I)
    total = wrong = pronouns = 0
    for line in WIKIEVENTS.read_text(encoding="utf-8").splitlines():
        for mention in json.loads(line)["entity_mentions"]:
            text = mention["text"]
            if pronoun.match(text) and not (len(text) > 1 and text.isupper()):  # "US" is a name
                pronouns += resolve_actor(text) is not None
            if mention["entity_type"] in non_actor_types:
                total += 1
                found = resolve_actor(text)
                wrong += found is not None and found.kind != "state"
    assert total > 300
    assert pronouns == 0
    assert wrong / total < 0.03


def test_lookups_are_fast(registry: ActorRegistry) -> None:
    phrases = ["Yemen's Iran-backed Houthis", "Israeli soldiers", "the region", "Kataib Hizbullah",
               "Defense Secretary Lloyd Austin", "nearly 25,500 people"] * 50
    start = time.perf_counter()
    for phrase in phrases:
        registry.resolve(phrase)
    per_lookup = (time.perf_counter() - start) / len(phrases)
    assert per_lookup < 0.002


def test_a_surname_finds_its_full_name_in_unparsed_text() -> None:
    """Under trigger gating the sentence introducing a person may not have been parsed; the
    later bare surname still names the person in full."""
    text = ("Steelers Are Following Heyward To Nowhere\n"
            "Steelers defensive end Cam Heyward spoke to reporters on Monday.\n"
            '"We lost that game," Heyward said.')
    doc = DocumentActors(text=text)
    at = text.rindex("Heyward")
    found = doc.resolve("Heyward", (at, at + len("Heyward")), label="PERSON", speaker=True)
    assert found is not None and found.name == "Cam Heyward" and found.kind == "person"
    # a headline's capitalised word is no given name
    headline = DocumentActors(text=text.split("\n", 1)[0] + '\n"Fine," Heyward said.')
    at = headline.text.rindex("Heyward")
    found = headline.resolve("Heyward", (at, at + 7), label="PERSON", speaker=True)
    assert found is not None and found.name == "Heyward"


def test_a_surname_finds_a_full_name_with_initials_and_suffix() -> None:
    text = ("James P. Kennedy Jr., the top federal prosecutor there, announced the charges.\n"
            '"Threats are not speech," Kennedy said.')
    doc = DocumentActors(text=text)
    at = text.rindex("Kennedy")
    found = doc.resolve("Kennedy", (at, at + len("Kennedy")), label="PERSON", speaker=True)
    assert found is not None and found.kind == "person"
    assert found.name.startswith("James P") and found.name.endswith("Kennedy Jr"), found.name
