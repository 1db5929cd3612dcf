"""The registry of offences (ЕРДР and administrative protocols): records, articles, import, drafts from incidents."""
