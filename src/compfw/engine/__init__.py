"""The engine: each competency's status, readiness against milestones, and the status document."""
