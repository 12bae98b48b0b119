"""The benchmark suite behind `make bench`: scenarios measured side by side in one run."""
