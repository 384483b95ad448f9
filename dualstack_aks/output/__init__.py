"""Reading cdktf.out back (summary, diagram) and writing it (the output directory)."""
