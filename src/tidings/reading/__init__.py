"""The rules every front end shares (the reader UI, the Miniflux, Google Reader and Fever APIs,
the CLI): which entries a list shows (`filters.EntryFilter`), compiled to SQL in one place by
the store (`tidings.store.reading.listing`)."""
