"""The working-day calendar: engine, official days off, and the day-granularity rules."""
