"""Small plugins for the plugin host's tests; like real ones, they import only alliance_sdk."""
