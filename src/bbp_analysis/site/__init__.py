"""The published site around the chapters: the front-page scorecard, editions and what
changed between them, the logic model, the claims ledger, the reference pages generated from
the catalogue, and the downloads."""
