"""Payment schedules after signing: instalments, milestones, royalties and revenue distribution."""
