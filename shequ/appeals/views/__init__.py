"""Appeal pages, one module per page: report, lists (mine, public), page (an appeal), workbench, filing."""
