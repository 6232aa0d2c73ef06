"""The web console under /ui: public page shells whose data comes from the /v1 API with the caller's key."""
