# Upload offsets (docs/protocol.md §4.3): chunks out of order within the window, a damaged chunk, what a restart
# resumes from (a flash block for firmware, the last whole record of a source-tree payload).
from fieldflash import store
from fieldflash.uploads import Upload, UploadStore

STATE = '/tests-state'


def _fresh():
    store.remove_tree(STATE)
    store.ensure_dir(STATE)


def test_out_of_order_chunks_move_the_offset_when_the_gap_closes():
    u = Upload({'sha256': 'a' * 64, 'size': 100000}, 0)
    assert u.written(16384, 32768) == 0
    assert u.written(49152, 65536) == 0
    assert u.written(0, 16384) == 32768
    assert u.written(32768, 49152) == 65536
    assert u.ahead == []


def test_a_damaged_chunk_drops_the_ranges_it_touched():
    u = Upload({'sha256': 'a' * 64, 'size': 100000}, 0)
    u.written(16384, 32768)
    u.damaged(20000, 24000)
    assert u.written(0, 16384) == 16384


def test_a_restart_resumes_firmware_from_a_flash_block():
    _fresh()
    uploads = UploadStore(STATE)
    u = uploads.create({'sha256': 'b' * 64, 'size': 200000})
    u.written(0, 70000)
    uploads.record(True)
    again = UploadStore(STATE)
    assert again.get('b' * 64).contiguous == 69632  # 70000 rounded down to 4096


def test_a_restart_resumes_a_tree_from_its_last_whole_record():
    _fresh()
    uploads = UploadStore(STATE)
    u = uploads.create({'sha256': 'c' * 64, 'size': 5000, 'kind': 'source-tree'})

    class Parsed:
        boundary = (1234, 200, 5)

    u.payload = Parsed()
    u.contiguous = 1500  # parsed past the boundary, into a file not finished
    uploads.record(True)
    again = UploadStore(STATE).get('c' * 64)
    assert again.contiguous == 1234
    assert again.tree == {'log': 200, 'records': 5, 'prepared': True}


def test_an_upload_over_a_pending_image_ends_its_wait_for_a_verdict():
    # The board has no room to keep a pending image while another is written into its slot: the first chunk drops it,
    # and lastUpdate must say so, or a client waiting for its verdict would wait for a test boot that never comes.
    from fieldflash.journal import Journal
    _fresh()
    journal = Journal(STATE)
    journal.create('a', {'sha256': '1' * 64, 'version': '1.0.0', 'size': 10, 'securityVersion': 0})
    journal.record_pending('b', {'sha256': '2' * 64, 'version': '1.1.0', 'size': 10, 'securityVersion': 0})
    journal.forget('b', 'replaced before its test boot')
    assert journal.slot('b') == {'state': 'empty'}
    assert journal.last_update == {'sha256': '2' * 64, 'version': '1.1.0', 'outcome': 'rolled-back', 'reason': 'replaced before its test boot'}
    assert Journal(STATE).last_update['outcome'] == 'rolled-back'
