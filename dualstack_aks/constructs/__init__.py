"""One Construct per layer: network, cluster (+ shared registry), edge (+ global DNS), ingress."""
