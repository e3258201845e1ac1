"""Admin screens for the directory, a module per part: `places` (places, spots, the import) and
`parties` (parties, memberships, contracts, registrations). Every structural write goes through the
write modules (`directory.places`, `directory.parties`, `directory.importer`).

Forms validate with the same checks the services use (so a bad parent is a form error, not a 500);
`save_model` / `save_formset` then call the service. Plain saves remain only for simple, non-structural
fields (a party's phone or description, a membership's title), which is said where it happens.
"""

from shequ.directory.admin import parties, places  # noqa: F401  (importing a module registers its screens)
