"""What the web map and print share: one style vocabulary, points to draw, the gmina profile."""
