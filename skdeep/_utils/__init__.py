"""Validation, shared estimator mixins and persistence."""
