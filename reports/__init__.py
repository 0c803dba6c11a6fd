"""Saved SQL reports (installed as the package ``db.report_files``); see README "Reports"."""
