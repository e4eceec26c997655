"""The ffmpeg edge: probe, silence detection, cutting, burning captions, joining reels.

ffmpeg-python builds the command lines; :mod:`clipkit.media.runner` runs them with a
progress callback and turns failures into :class:`~clipkit.errors.FFmpegError`.
Nothing outside this package talks to ffmpeg.
"""
