from shequ.supervision.tests.conftest import _fresh_policy_cache, _supervision_media, file_appeal

__all__ = ["_fresh_policy_cache", "_supervision_media", "file_appeal"]
