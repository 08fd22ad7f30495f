"""Eval sets (JSONL, ../shared/EVAL_FORMAT.md) and the runner that scores the chain on them."""
