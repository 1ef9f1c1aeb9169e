"""The seed: the public record in data/, checked in full before anything is written, loaded
through the write path, and synced when a corrected file arrives."""
