/**
 * The article `crier demo` publishes: a made-up local news story in the shape a
 * publisher's page converted to Markdown has (title, deck, byline, date, source,
 * Region/Theme tags, italic lead, body, and site boilerplate crier must drop).
 */
export function sampleArticleMarkdown(siteUrl: string): string {
  return `# Harbour Town Opens Its First Night Ferry & Bike Lane "Loop"

Commuters get a 24-hour crossing and 6 km of protected lanes — the council says it pays for itself by 2029

By [Mira Okafor](${siteUrl}/authors/mira-okafor) and [Jonas Lindqvist](${siteUrl}/authors/jonas-lindqvist)

The Harbour Courier, March 3, 2026

Region: [Northern Europe](${siteUrl}/region/northern-europe), [Harbour Town](${siteUrl}/region/harbour-town)

Theme: [Transport & Mobility](${siteUrl}/theme/transport), [Climate](${siteUrl}/theme/climate)

In-depth Report: [City Budget 2026](${siteUrl}/report/budget-2026)

This article can be read in 12 languages by using the Translate button below the author's name.

To receive our Morning Briefing newsletter, [click here](${siteUrl}/newsletter).

Follow us on [Instagram](${siteUrl}/ig) and [Mastodon](${siteUrl}/m) and share widely.

![The new night ferry at the east pier](${siteUrl}/images/ferry.jpg)

*Harbour Town's council opened a round-the-clock ferry between the east and west piers on Monday, together with a 6 km "Loop" of protected bike lanes that links both terminals to the old town.*

The ferry runs every 20 minutes during the day and every 40 minutes between midnight and 5 a.m. Tickets cost the same as a bus fare, and bicycles travel free.

Council transport lead Anneli Sørensen said night-shift workers at the hospital and the container port had asked for the crossing for years. "People were cycling 14 km around the bay at 3 a.m.," she said. "Now it is a nine-minute crossing."

The Loop cost €18.4 million, of which €7 million came from a regional climate fund. The council expects fewer car trips across the bay bridge to cut maintenance costs enough to cover the rest by 2029 — a forecast the opposition calls "optimistic at best."

Early counts are encouraging: 2,140 crossings on the first day, 38% of them with a bike.

***

Note to readers: please click the share buttons above. Follow us on Instagram and Mastodon.

*Mira Okafor is a regular contributor to The Harbour Courier.*

The original source of this article is [The Harbour Courier](${siteUrl}/2026/03/03/night-ferry-loop)

Copyright © [Mira Okafor](${siteUrl}/authors/mira-okafor), The Harbour Courier, 2026

**[Comment on this article](${siteUrl}/comments)**

**[Become a Member of The Harbour Courier](${siteUrl}/join)**

**Disclaimer:** The contents of this article are of sole responsibility of the author(s). The Harbour Courier will not be responsible for any inaccurate statement in this article.
`;
}

/** The canonical URL of the sample article on the sandbox site. */
export function sampleArticleUrl(siteUrl: string): string {
  return `${siteUrl}/2026/03/03/night-ferry-loop`;
}
