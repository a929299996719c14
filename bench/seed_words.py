"""Danish words the seed builds titles, themes, places and names from."""

from __future__ import annotations

import random

VERBS = (
    "Etablere", "Udvide", "Forbedre", "Afprøve", "Indføre", "Samle", "Digitalisere",
    "Styrke", "Genbruge", "Omlægge", "Åbne", "Kortlægge", "Dele", "Grønne", "Gentænke",
)  # fmt: skip
NOUNS = (
    "delecykler", "fællesspisning", "lektiecafé", "cykelstier", "genbrugsstation",
    "besøgsvenner", "ladestandere", "byhaver", "natbus", "sundhedstjek", "læsegrupper",
    "affaldssortering", "legepladser", "borgerservice", "frivilligcentral", "solceller",
    "regnvandsbede", "seniortræning", "ungdomsklub", "madspild", "værksteder", "busruter",
)  # fmt: skip
PLACES = (
    "ved rådhuset", "i lokalområdet", "på skolerne", "i landsbyerne", "ved havnen",
    "på plejecentrene", "i boligområderne", "ved biblioteket", "i idrætshallen",
    "langs åen", "i bymidten", "på stationen", "for ældre", "for unge", "for børnefamilier",
)  # fmt: skip
THEMES = (
    "Grøn omstilling", "Mobilitet", "Trivsel", "Ældreliv", "Børn og unge", "Fællesskab",
    "Sundhed", "Klimatilpasning", "Kultur", "Beskæftigelse", "Digitalisering", "Natur",
    "Boliger", "Landdistrikter", "Frivillighed", "Tryghed", "Affald", "Energi", "Læring",
    "Erhverv", "Bevægelse", "Inklusion", "Vand", "Turisme",
)  # fmt: skip
TOWNS = (
    "Aarhus", "Odense", "Aalborg", "Esbjerg", "Randers", "Kolding", "Horsens", "Vejle",
    "Roskilde", "Herning", "Silkeborg", "Næstved", "Fredericia", "Viborg", "Køge",
    "Holstebro", "Slagelse", "Svendborg", "Hjørring", "Sønderborg", "Ærøskøbing", "Tønder",
)  # fmt: skip
FIRST = (
    "Anne", "Mette", "Lars", "Søren", "Jens", "Hanne", "Pia", "Rasmus", "Line", "Mads",
    "Freja", "Jørgen", "Birgitte", "Ole", "Kirsten", "Niels", "Ida", "Emil", "Maja", "Bjørn",
)  # fmt: skip
LAST = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Møller",
)  # fmt: skip
ORGANISATIONS = (
    "Borgerforeningen", "Ældrerådet", "Ungdomsrådet", "Handelsstandsforeningen",
    "Grundejerforeningen", "Skolebestyrelsen", "Idrætsforeningen", "Naturfredningsforeningen",
)  # fmt: skip
REASONS = (
    "Passer ikke ind i budgettet i år.", "Dækkes allerede af et andet initiativ.",
    "Tages op igen efter valget.", "Mangler en ansvarlig i forvaltningen.",
    "Borgerne ønskede noget andet.", "Afventer nye regler fra staten.",
)  # fmt: skip
SUMMARIES = (
    "Stor opbakning og lav pris.", "God idé, men kræver samarbejde på tværs.",
    "Kan afprøves i ét område først.", "Effekten er usikker; en pilot vil vise den.",
)  # fmt: skip


def idea_title(rng: random.Random) -> str:
    """A Danish idea title such as "Etablere delecykler ved rådhuset"."""
    return f"{rng.choice(VERBS)} {rng.choice(NOUNS)} {rng.choice(PLACES)}"


def person_name(rng: random.Random) -> str:
    """A Danish first and last name."""
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def theme_names(count: int) -> list[str]:
    """``count`` distinct theme names: the base themes, then the base themes per town."""
    names = list(THEMES)
    for town in TOWNS:
        names.extend(f"{theme} i {town}" for theme in THEMES)
    return names[:count]
