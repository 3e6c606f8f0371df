#!/usr/bin/python3
# A real RTSP server for the video tests and benchmark (design/VIDEO-TESTING.md): gst-rtsp-server
# relays an MPEG-TS stream that an ffmpeg feeder pushes to a loopback UDP port, as one shared
# "camera" mount readable over RTP/TCP. Run with /usr/bin/python3 (Debian's gi module).
#
# usage: gst_rtsp_relay.py PORT MOUNT TS_PORT [USER PASSWORD]
#   With USER and PASSWORD the mount requires HTTP Basic credentials (wrong ones get 401).
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

port = sys.argv[1] if len(sys.argv) > 1 else "8554"
mount = sys.argv[2] if len(sys.argv) > 2 else "/cam1"
ts_port = sys.argv[3] if len(sys.argv) > 3 else "5004"
user = sys.argv[4] if len(sys.argv) > 5 else None
password = sys.argv[5] if len(sys.argv) > 5 else None

Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")  # loopback only
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
# ignore-pcr=true is required: without it tsdemux resets its clock skew every 1.5 s and
# clients get a fraction of the frames.
factory.set_launch(
    f"( udpsrc address=127.0.0.1 port={ts_port} buffer-size=4194304 "
    f'caps="video/mpegts,systemstream=(boolean)true,packetsize=(int)188" '
    f"! tsdemux ignore-pcr=true ! h264parse config-interval=-1 "
    f"! rtph264pay name=pay0 pt=96 config-interval=-1 )"
)
factory.set_shared(True)  # one pipeline for all clients, like a camera

if user is not None:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "viewer")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role("viewer", "media.factory.access", True)
    permissions.add_permission_for_role("viewer", "media.factory.construct", True)
    factory.set_permissions(permissions)

server.get_mount_points().add_factory(mount, factory)
if server.attach(None) == 0:
    print(f"cannot listen on 127.0.0.1:{port}", file=sys.stderr, flush=True)
    sys.exit(1)
print(f"serving rtsp://127.0.0.1:{port}{mount}", flush=True)
GLib.MainLoop().run()
