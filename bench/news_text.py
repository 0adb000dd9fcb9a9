"""News-style Danish for the cleanup benchmark, written for this project (not copied).

Hand-written paragraphs and sentence templates in the style of Danish newspapers: dialogue
with speech verbs and dash lines, prices, dates, abbreviations, names, apostrophes, clause
dashes after numbers, headings, TV-listing lines and quotations over several paragraphs.
:func:`news_documents` draws seeded documents from them; every block is labelled with the
class of text it shows (``dialogue``, ``abbreviation``, ...), so that wrong changes can be
counted per class. ``bench/make_news_corpus.py`` damages them.
"""

from __future__ import annotations

import random

# Slot fillers -------------------------------------------------------------------------------

NAMES = [
    "Mette Frederiksen", "Lars Løkke Rasmussen", "Pia Olsen Dyhr", "Troels Lund Poulsen",
    "Søren Pape Poulsen", "Marie Bjerre", "Anne Sophie Callesen", "Jens Christian Holm",
    "Kirsten Brosbøl", "Morten Østergaard", "Ida Auken", "Peter Hummelgaard", "Karen Ellemann",
    "Christian Eriksen", "Pernille Blume", "Jonas Vingegaard", "Mads Pedersen",
    "Caroline Wozniacki",    "Kasper Hjulmand", "Lise-Lotte Sørensen", "Ahmed Hassan",
    "Birgitte Nyborg", "Niels Erik Thomsen", "Hanne Mølgaard", "Frederik Kjærgaard",
]
FIRST_NAMES = [
    "Mette", "Jens", "Søren", "Anne", "Lars", "Ida", "Karen", "Ole", "Mads", "Sofie",
    "Frederik", "Emma", "Klaus", "Birgitte", "Thomas", "Henrik", "Louise", "Rasmus", "Julie",
]
# First names ending in s, x or z: their genitive is an apostrophe alone.
S_NAMES = [
    "Jens", "Lars", "Niels", "Hans", "Mads", "Klaus", "Thomas", "Agnes", "Felix", "Max",
    "Marx", "Schulz", "Aarhus", "Paris", "Linux", "Holms", "Andreas", "Jonas", "Magnus",
]
CITIES = [
    "Aarhus", "Odense", "Aalborg", "Esbjerg", "Randers", "Vejle", "Herning", "Kolding",
    "Roskilde", "Horsens", "Silkeborg", "Næstved", "Viborg", "Svendborg", "Holstebro",
    "Hillerød", "Frederikshavn", "Sønderborg", "Haderslev", "Skive", "Nykøbing Falster",
]
COMPANIES = [
    "Novo Nordisk", "Mærsk", "Carlsberg", "Danske Bank", "Vestas", "DSB", "Arla", "Lego",
    "Ørsted", "Netto", "Coop", "Jysk", "Pandora", "Salling Group", "Nordea", "TV 2",
    "Region Midtjylland", "Dansk Industri", "Forbrugerrådet Tænk", "Københavns Kommune",
]
TITLES = [
    "direktør", "borgmester", "formand", "talsmand", "overlæge", "politikommissær",
    "professor", "cheføkonom", "landstræner", "skoleleder", "vagtchef", "kommunaldirektør",
]
WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
MONTHS = [
    "januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
    "oktober", "november", "december",
]
ARTISTS = [
    "Tina Dickow", "Lukas Graham", "Volbeat", "Medina", "Kim Larsen", "Aqua", "Mø",
    "Gnags", "Tobias Rahim", "Folkeklubben", "Rasmus Seebach", "Hjalmer",
]
CLUBS = [
    "FC København", "Brøndby", "FC Midtjylland", "AGF", "OB", "Randers FC", "Viborg FF",
    "Silkeborg IF", "AaB", "Lyngby", "Vejle Boldklub", "Sønderjyske",
]


def _price(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return f"{rng.choice([45, 79, 129, 250, 399, 695])} kr."
    if kind == 1:
        return f"{rng.randint(1, 9)}.{rng.choice(['299', '495', '750', '000'])} kr."
    if kind == 2:
        return f"{rng.randint(2, 90)},{rng.randint(1, 9)} mio. kr."
    if kind == 3:
        return f"ca. {rng.choice([300, 1.2, 15, 600])} mia. kr.".replace(".2 ", ",2 ")
    return f"{rng.randint(12, 99)} øre"


def _date(rng: random.Random) -> str:
    kind = rng.randrange(6)
    day, month = rng.randint(1, 28), rng.choice(MONTHS)
    if kind == 0:
        return f"den {day}. {month}"
    if kind == 1:
        return f"{rng.choice(WEEKDAYS)} den {day}. {month}"
    if kind == 2:
        return f"den {day}. {month} {rng.randint(2019, 2026)}"
    if kind == 3:
        return f"i uge {rng.randint(2, 51)}"
    if kind == 4:
        return rng.choice(WEEKDAYS)
    return f"{day}. {month}"


def _fill(template: str, rng: random.Random) -> str:
    slots = {
        "navn": lambda: rng.choice(NAMES),
        "navn2": lambda: rng.choice(NAMES),
        "fornavn": lambda: rng.choice(FIRST_NAMES),
        "snavn": lambda: rng.choice(S_NAMES),
        "by": lambda: rng.choice(CITIES),
        "by2": lambda: rng.choice(CITIES),
        "firma": lambda: rng.choice(COMPANIES),
        "firma2": lambda: rng.choice(COMPANIES),
        "titel": lambda: rng.choice(TITLES),
        "pris": lambda: _price(rng),
        "krpris": lambda: _price(rng).replace(" øre", " kr."),
        "dato": lambda: _date(rng),
        "ugedag": lambda: rng.choice(WEEKDAYS),
        "måned": lambda: rng.choice(MONTHS),
        "kunstner": lambda: rng.choice(ARTISTS),
        "kunstner2": lambda: rng.choice(ARTISTS),
        "klub": lambda: rng.choice(CLUBS),
        "klub2": lambda: rng.choice(CLUBS),
        "tal": lambda: str(rng.randint(2, 60)),
        "pct": lambda: f"{rng.randint(1, 19)},{rng.randint(1, 9)}",
        "år": lambda: str(rng.randint(1995, 2026)),
        "kl": lambda: f"{rng.randint(7, 23)}.{rng.choice(['00', '15', '30', '45'])}",
    }
    out = template
    for name, make in slots.items():
        while "{" + name + "}" in out:
            out = out.replace("{" + name + "}", make(), 1)
    return out[0].upper() + out[1:] if out[0].islower() else out


# Sentence templates by class ----------------------------------------------------------------

PLAIN = [
    "{navn} blev {dato} valgt som ny {titel} i {by}.",
    "Ifølge {firma} steg omsætningen med {pct} procent i årets første halvår.",
    "Politiet i {by} efterlyser vidner til et indbrud i en villa natten til {ugedag}.",
    "Det oplyser {firma} i en pressemeddelelse.",
    "Vejret bliver gråt og køligt i weekenden med temperaturer omkring {tal} grader.",
    "Byrådet i {by} har besluttet at lukke to skoler og samle eleverne på en ny skole.",
    "Sagen skal nu behandles i byretten i {by}.",
    "Der var udsolgt til koncerten længe før dørene åbnede.",
    "Hun har arbejdet i {firma} i mere end tyve år.",
    "Flere borgere har klaget over støjen fra byggepladsen ved havnen.",
    "Regeringen vil bruge flere penge på psykiatrien, og det glæder patientforeningerne.",
    "Kommunen forventer, at den nye bro står færdig i {år}.",
    "Trafikken blev ledt uden om ulykkesstedet i flere timer.",
    "Derfor kom han for sent til mødet.",
    "Han blev kørt på hospitalet med lettere skader.",
    "Der er ikke fundet nogen forklaring på fejlen endnu.",
    "Aftalen skal godkendes af Folketinget, før den træder i kraft.",
    "Antallet af ledige faldt igen i {måned}, viser nye tal fra Danmarks Statistik.",
    "Ingen kom til skade ved branden, men huset er ikke længere beboeligt.",
    "I sidste uge meddelte {firma}, at selskabet vil flytte hovedkontoret til {by}.",
    "Sådan lyder meldingen fra {titel} {navn}.",
    "Beboerne har længe ønsket en cykelsti langs landevejen.",
    "Det var første gang i tolv år, at holdet vandt på udebane.",
    "Hun tog toget til {by} og kom hjem sent om aftenen.",
    "Mødet blev udsat, fordi flere af medlemmerne var syge.",
    "{klub} vandt søndag 2-1 over {klub2} efter et mål i overtiden.",
    "Han er født og opvokset i {by} og bor i dag i {by2}.",
    "Forhandlingerne fortsætter i næste uge.",
    "Endnu er det uklart, hvad der udløste brandalarmen.",
    "Også i {by} har man mærket stigningen i antallet af turister.",
    "Mange unge vælger at tage et sabbatår, før de begynder at studere.",
    "Prisen på el har aldrig været højere, skriver {firma} i sin årsrapport.",
    "Festivalen fylder halvtreds år og fejrer det med en gratis koncert på torvet.",
    "Hun satte dansk rekord i {by} i {år}.",
    "Det skriver Ritzau.",
    "Der var mødt omkring {tal}0 mennesker op til demonstrationen foran rådhuset.",
    "Skolen har i år optaget flere elever end nogensinde.",
    "Landmændene er bekymrede for tørken, der har varet i seks uger.",
    "I alt blev {tal} personer anholdt i forbindelse med uroen.",
    "Her kunne man se, at lyset var tændt i stuen.",
]

DIALOGUE = [
    "»Kom så!« råber {titel}en fra sidelinjen.",
    "»Det er for sent,« svarede {fornavn}.",
    "Skal vi gå? spurgte han.",
    "Hvad gør vi nu? spørger {fornavn}.",
    "»Vi er meget glade for resultatet,« siger {navn}.",
    "»Hvorfor skulle vi vente?« spørger {titel} {navn}.",
    "»Det har været et hårdt år for os alle,« fortæller {fornavn}.",
    "»Hold da op!« udbrød hun, da hun så regningen.",
    "– Vi havde ikke regnet med så mange gæster, siger {navn}.",
    "– Det er en fantastisk dag for {by}, siger {titel}en.",
    "– Hvad skal vi gøre? spørger {fornavn}, der har boet på vejen i tredive år.",
    "»Jeg ku’ ikke sove hele natten,« siger {fornavn}.",
    "»Nej!« skreg pigen og løb ud af rummet.",
    "»Er det virkelig nødvendigt?« lød det fra salen.",
    "»Tillykke!« sagde dronningen og smilede.",
    "»Vi gør, hvad vi kan,« forsikrer {titel} {navn}.",
    "»Det er ikke mig, der bestemmer,« tilføjer han.",
    "»Hvor er min taske?« spurgte {fornavn} forvirret.",
    "»Vi ses i morgen!« råbte de i kor.",
    "Hvad sker der nu? tænkte hun.",
    "»Det var som fanden,« mumlede {fornavn}.",
    "»Der er ingen vej tilbage,« erkender {navn}.",
    "»Ja, selvfølgelig!« svarer {fornavn} hurtigt.",
    "»Vi har ikke set noget lignende før.« Sådan siger {titel} {navn}.",
    "– Jeg ved ikke, hvad der skete. Pludselig var bilen væk, siger {fornavn}.",
    "»Hvad sker der?« Han kiggede ud ad vinduet.",
    "Hvad nu? Ingen vidste det.",
    "»Stop!« Hun greb ham i armen.",
    "»Hvor længe skal vi vente?« spurgte en af kunderne, og {fornavn} trak på skuldrene.",
]

ABBREVIATION = [
    "Festivalen byder bl.a. på koncerter med {kunstner} og {kunstner2}.",
    "Prisen er {pris} inkl. moms.",
    "Billetterne koster {krpris} De kan købes i døren.",
    "Ifølge loven, jf. § {tal}, skal kommunen svare inden for fire uger.",
    "Han kørte i en gammel 6-cyl. Volvo fra {år}.",
    "Kjolen fås i str. S, M og L og koster {krpris}",
    "Mødet blev aflyst pga. strejken i {by}.",
    "Bl.a. {firma} og {firma2} har meldt sig som sponsorer.",
    "Der kommer ca. {tal}.000 gæster til byfesten.",
    "Den gamle bygning blev tegnet af kgl. bygningsinspektør {navn}.",
    "Ca. hver tredje dansker handler nu ind på nettet.",
    "Vi har bl.a. talt med {navn} og {navn2} om sagen.",
    "Arrangementet starter kl. {kl}, og der er gratis adgang.",
    "Tog, busser, færger osv. skal være mere tilgængelige for kørestolsbrugere.",
    "Butikken har åbent alle dage, dvs. også søndag.",
    "Der er tale om en stigning på {pct} pct. i forhold til sidste år.",
    "Huset ligger på Gl. Kongevej i {by}.",
    "Sagen handler bl.a. om, hvem der skal betale for oprydningen.",
    "Der er tale om et lån på {krpris}",
    "Han tjener ca. {pris} om måneden.",
    "Ud over mælk sælger gården æg, ost, kød mv. fra egen produktion.",
    "Skolerne har fri i uge 7, dvs. vinterferien.",
    "Medicinen skal tages to gange dagligt, f.eks. morgen og aften.",
    "Hun boede på Frederiksberg, jf. folkeregistret.",
    "Turen koster {pris} pr. person.",
    "Lejligheden på 78 kvm. ligger tæt på Strøget.",
    "Dr. {navn} leder forskningen på Rigshospitalet.",
    "Sct. Hans aften fejres med bål på stranden.",
    "Den nye bil koster {krpris} Det er dyrere end forventet.",
    "Parkering koster 25 kr. i timen. Det er dobbelt så meget som før.",
]

APOSTROPHE = [
    "{snavn}’ datter begynder i skole til august.",
    "Linux’ kerne bliver brugt i millioner af telefoner.",
    "Marx’ teorier bliver stadig diskuteret på universiteterne.",
    "Aarhus’ borgmester åbnede den nye bydel.",
    "Paris’ gader var fyldt med turister hele sommeren.",
    "»Det ku’ jeg godt ha’ sagt,« siger {fornavn}.",
    "»Vi ska’ nok klare det,« siger {fornavn} og griner.",
    "»Jeg vil sgu’ ikke finde mig i det,« siger naboen.",
    "»Det er li’ som at cykle,« forklarer {fornavn}.",
    "Romanen om d’Artagnan og de tre musketerer er filmatiseret igen.",
    "Skuespilleren spiller O’Brien i den nye serie.",
    "Holdet fra Côte d’Ivoire vandt gruppen.",
    "USA’s præsident besøger Danmark i {måned}.",
    "Musikken fra 90’erne er populær igen.",
    "Domino’s åbner tre nye pizzeriaer i {by}.",
    "{snavn}’ bil blev fundet på en parkeringsplads i {by}.",
    "Jens’ mor og Lars’ søster var også med.",
    "»Hvad ska’ vi så?« spørger {fornavn}.",
]

NUMBER_DASH = [
    "I uge 42 – altså om fjorten dage – holder vi lukket.",
    "Vi mangler to ting – tid og penge.",
    "Der kom {tal}.000 tilskuere – flere end nogensinde før.",
    "Han blev nummer 3 – efter to nordmænd.",
    "Prisen steg til 45 kr. – en stigning på {pct} pct.",
    "Klokken var 23 – eller måske lidt over – da ulykken skete.",
    "Vi er {tal} – heraf fire børn.",
    "I {år} – samme år som finanskrisen – åbnede butikken.",
    "Holdet vandt 3-1 – og det var fortjent.",
    "Der er 200 meter til stranden – men ingen parkering.",
    "Kampen starter kl. 20 – to timer senere end planlagt.",
    "Over 80 procent – især de unge – bruger nu mobilen til at betale.",
    "Hun er 85 – og stadig aktiv i foreningen.",
    "Indbruddet skete mellem kl. 2 og 4 – mens familien sov.",
    "Målet er at nå 100 – helst inden jul.",
]

COMPOUND = [
    "Det gælder især 80%-gruppen.",
    "Udspillet får støtte fra EU-landene.",
    "Hun er født i 1990'erne og voksede op i {by}.",
    "Den 50-årige mand blev anholdt i {by}.",
    "Mange af 1970-tallets huse trænger til renovering.",
    "Der skal bruges 24-timers vagter på plejehjemmet.",
    "DSB-togene kører igen efter strejken.",
]

HEADINGS = [
    "{navn} besøger {by}",
    "Ny direktør i {firma}",
    "{klub} vandt derbyet",
    "Stor brand i {by}",
    "{firma} fyrer 300 medarbejdere",
    "Sådan bliver vejret i weekenden",
    "Koncert med {kunstner} aflyst",
    "Ny bro over Limfjorden",
    "{navn}: Vi skal have flere læger",
    "Politiet søger vidner i {by}",
    "Festivalen i Roskilde er udsolgt",
    "Rekordmange turister i Nordjylland",
    "Borgmesteren i {by} går af",
    "Dronning Margrethe fylder år",
]

LISTINGS = [
    "SØN Dansk Melodi Grand Prix kl. 20.00",
    "LØR Vild Med Dans kl. 20.00",
    "FRE Disney Sjov kl. 19.00",
    "TIRS Champions League: {klub} - Real Madrid kl. 21.00",
    "ONS Den Store Bagedyst kl. 20.00",
    "MAN Kontant kl. 20.45",
    "TORS Hammerslag kl. 20.00",
    "Kl. 21.30 Deadline",
    "Kl. 18.30 TV Avisen",
    "SØN Matador kl. 16.05",
]

# Hand-written paragraphs (some of several sentences); quotations over several paragraphs
# open each paragraph with » and close only the last.
PARAGRAPHS = [
    ("plain", "Det var en kold morgen i Holstebro. Alligevel stod over hundrede mennesker i kø "
     "foran bageren, da den åbnede kl. 6. Ejeren, Bent Kristensen, havde lovet gratis "
     "rundstykker til de første halvtreds kunder."),
    ("plain", "Ulykken skete på motorvejen ved Vejle. To biler stødte sammen, og en lastbil "
     "kørte ind i autoværnet. Motorvejen var spærret i nordgående retning i tre timer."),
    ("dialogue", "»Vi havde ingen anelse om, at det ville gå så galt,« siger Henrik Lund. "
     "»Da vi kom hjem, var vandet allerede trængt ind i kælderen.«"),
    ("dialogue", "– Hvornår kommer bussen? spørger en ældre dame ved stoppestedet. Ingen ved "
     "det. Chaufføren har meldt sig syg, og der er ingen afløser."),
    ("quotation", "»Da jeg startede i faget, var der ingen computere. Vi skrev alt på maskine, "
     "og korrekturen blev læst af tre mennesker.\n\n»I dag går det hurtigere, men jeg er "
     "ikke sikker på, at det er blevet bedre. Fejlene kommer bare hurtigere ud.\n\n»Men jeg "
     "ville ikke bytte mit arbejde for noget,« siger den pensionerede journalist."),
    ("quotation", "»Vi har kæmpet for det her i årevis. Nu er det endelig lykkedes.\n\n»Det "
     "betyder alt for os, der bor her,« siger formanden for beboerforeningen, Lone Dahl."),
    ("abbreviation", "Billetterne til koncerten koster 450 kr. Børn under 12 år kommer gratis "
     "ind. Der er bl.a. optræden af Medina, Aqua m.fl., og arrangørerne venter ca. 20.000 "
     "gæster."),
    ("abbreviation", "Huset er på 145 kvm. og har fem værelser, bl.a. et stort køkken-alrum. "
     "Udbudsprisen er 3,2 mio. kr. Ejendomsmægleren forventer et hurtigt salg."),
    ("abbreviation", "Den nye lov træder i kraft 1. januar. Den betyder bl.a., at alle "
     "virksomheder med mere end 50 ansatte skal indberette deres lønforskelle, jf. "
     "ligelønsloven."),
    ("plain", "Mette Frederiksen holdt nytårstale den 1. januar. Hun talte om klimaet, om "
     "psykiatrien og om de unges trivsel. Talen blev set af mere end en million danskere."),
    ("number_dash", "Butikken holder lukket i uge 29 – det er første gang i 30 år. Ejeren "
     "skal på ferie – og det har hun fortjent, siger kunderne."),
    ("apostrophe", "Niels’ far var fisker i Thyborøn, ligesom hans farfar. »Jeg ku’ aldrig "
     "forestille mig at lave andet,« siger han."),
    ("plain", "Efter kampen var der fest i byen. Fansene sang hele vejen fra stadion til "
     "torvet. Politiet meldte om en rolig aften uden anholdelser."),
    ("dialogue", "»Hvad laver du her?« spurgte betjenten. Manden svarede ikke, men løb i "
     "stedet ned ad gaden."),
    ("plain", "Sagen begyndte i marts, da en lærer opdagede, at flere elever manglede i "
     "timerne. Skolen kontaktede forældrene. Det viste sig, at eleverne havde pjækket i "
     "ugevis."),
    ("plain", "Regnen faldt i stride strømme hele natten. Om morgenen var flere veje i "
     "Sønderjylland oversvømmet. Beredskabet rykkede ud over 40 gange."),
    ("abbreviation", "Museet har åbent tirs.-søn. kl. 10-17. Entréen er 120 kr. for voksne, "
     "mens børn og unge under 18 år kommer gratis ind."),
    ("dialogue", "– Det er helt vildt. Jeg har aldrig prøvet noget lignende, siger Sofie "
     "Andersen, der vandt førstepræmien. – Nu skal jeg ud at rejse."),
    ("plain", "Danmark vandt EM i håndbold for kvinder i 1996. Siden har holdet vundet "
     "flere medaljer, men aldrig guld igen."),
    ("plain", "I dag er der 5,9 millioner indbyggere i Danmark. Det er flere end nogensinde. "
     "Især i de store byer vokser befolkningen."),
]

CLASSES = {
    "plain": PLAIN,
    "dialogue": DIALOGUE,
    "abbreviation": ABBREVIATION,
    "apostrophe": APOSTROPHE,
    "number_dash": NUMBER_DASH,
    "compound": COMPOUND,
}


def held_out_documents(count: int, seed: int) -> list[list[tuple[str, str, str]]]:
    """``count`` documents of three to five held-out paragraphs each, with a heading."""
    rng = random.Random(seed)
    docs = []
    for _ in range(count):
        chosen = rng.sample(HELD_OUT, rng.randint(3, 5))
        blocks = [("heading", "heading", _fill(rng.choice(HEADINGS), rng))]
        for label, text in chosen:
            blocks += [("text", label, part) for part in text.split("\n\n")]
        docs.append(blocks)
    return docs


def news_documents(count: int, seed: int) -> list[list[tuple[str, str, str]]]:
    """``count`` seeded documents: each a list of ``(kind, class, text)`` blocks, where kind
    is ``heading``, ``listing`` or ``text``."""
    rng = random.Random(seed)
    docs = []
    for _ in range(count):
        title = _fill(rng.choice(HEADINGS), rng)
        blocks: list[tuple[str, str, str]] = [("heading", "heading", title)]
        for _ in range(rng.randint(3, 6)):
            roll = rng.random()
            if roll < 0.12:
                label, text = rng.choice(PARAGRAPHS)
                for part in text.split("\n\n"):
                    blocks.append(("text", label, part))
                continue
            if roll < 0.17:
                for line in rng.sample(LISTINGS, rng.randint(2, 4)):
                    blocks.append(("listing", "listing", _fill(line, rng)))
                continue
            if roll < 0.22:
                blocks.append(("heading", "heading", _fill(rng.choice(HEADINGS), rng)))
            label = rng.choice(list(CLASSES))
            chosen = rng.sample(CLASSES[label], 2) + rng.sample(PLAIN, 3)
            rng.shuffle(chosen)
            sentences = [_fill(t, rng) for t in chosen[: rng.randint(2, 5)]]
            blocks.append(("text", label, " ".join(sentences)))
        docs.append(blocks)
    return docs


# Held out: paragraphs written after the rules were tuned, never used to tune them
# (``make_news_corpus.py --held-out``).
HELD_OUT = [
    ("plain", "Vejdirektoratet advarer mod glatte veje i hele Jylland i nat. Temperaturen falder "
     "til under frysepunktet, og der kan komme sne i Midt- og Vestjylland. Bilisterne opfordres "
     "til at holde god afstand."),
    ("dialogue", "»Jeg troede ikke mine egne øjne,« fortæller Bodil Rasmussen, der fandt den "
     "gamle mønt i sin have i Ribe. »Først troede jeg, det var en kapsel.«"),
    ("dialogue", "– Er det her virkelig det bedste, vi kan? spørger formanden for "
     "ældrerådet, Poul Erik Madsen. Han får ikke noget svar."),
    ("abbreviation", "Ifølge Danmarks Statistik steg forbrugerpriserne med 2,4 pct. i oktober. "
     "Det er bl.a. fødevarer og el, der er blevet dyrere, mens bl.a. tøj og sko er blevet "
     "billigere."),
    ("abbreviation", "Koncerten begynder kl. 19.30 i Musikhuset. Billetter koster 325 kr. inkl. "
     "gebyr og kan købes på nettet eller i billetlugen, jf. arrangørens hjemmeside."),
    ("apostrophe", "Klaus’ bedstefar byggede huset i 1932. I dag bor Klaus’ datter og hendes "
     "mand i det. »Vi ka’ li’ at bo her,« siger hun."),
    ("number_dash", "Omkring 300 – måske flere – mødte op til borgermødet i hallen. Mange "
     "havde taget børnene med."),
    ("plain", "Politiet i Nordsjælland har anholdt en 34-årig mand efter en række indbrud i "
     "sommerhuse ved Gilleleje. Han blev fremstillet i grundlovsforhør søndag."),
    ("quotation", "»Vi har ventet på den her dag i fem år. Nu kan vi endelig tage hul på "
     "byggeriet.\n\n»Det bliver ikke nemt, men vi er klar,« siger projektlederen, Hanne Bech."),
    ("plain", "Nationalbanken hævede i går renten med et kvart procentpoint. Det er tredje gang "
     "i år. Økonomer havde ventet beslutningen."),
    ("dialogue", "»Hvorfor har ingen sagt noget?« spurgte en vred borger på mødet. "
     "Borgmesteren svarede, at kommunen først selv fik besked i sidste uge."),
    ("abbreviation", "Den nye elbil har en rækkevidde på ca. 450 km. Prisen starter ved 289.900 "
     "kr. Forhandlerne venter stor efterspørgsel."),
    ("plain", "Håndboldlandsholdet tabte lørdag aftens kamp mod Frankrig med 27-29. Dermed er "
     "holdet ude af turneringen. Landstræneren var skuffet over forsvaret."),
    ("apostrophe", "Filmen om D’Artagnans ungdom får premiere i december. Hovedrollen spilles "
     "af en ukendt skuespiller fra Lyon."),
    ("dialogue", "– Det er en kæmpe lettelse, siger Louise Holm, da hun hører dommen. Hun har "
     "ventet på afgørelsen i over et år."),
    ("abbreviation", "Skolen søger en lærer til bl.a. dansk og historie. Ansøgningsfristen er "
     "fredag den 15. marts kl. 12. Løn efter overenskomst."),
    ("plain", "Regionen vil bygge et nyt akuthospital i Gødstrup. Byggeriet skal stå færdigt i "
     "2028, og det forventes at koste over fire milliarder kroner."),
    ("number_dash", "Han løb maratonløbet på 2 timer og 41 minutter – personlig rekord med over "
     "fem minutter. Næste mål er et OL."),
    ("plain", "Over halvdelen af de adspurgte i undersøgelsen svarer, at de handler mindre ind "
     "end sidste år. Især familier med børn mærker prisstigningerne."),
    ("dialogue", "»Kan du høre mig nu?« råbte manden ind i telefonen. Forbindelsen var dårlig, og "
     "samtalen blev afbrudt."),
]
