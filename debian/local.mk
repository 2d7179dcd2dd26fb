# debian/: the Debian packages (README "Install on a host"). `make deb` builds them with
# dpkg-buildpackage from this tree's release tarball, unpacked in deb/, so the source tree
# stays as it is; the packages land in deb/ (deb/*.deb, deb/*.changes).
EXTRA_DIST += debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format debian/local.mk \
	debian/liblmcagent0.install debian/liblmcagent-dev.install \
	debian/lmcache-tools.install debian/lmcache-discovery.install \
	debian/lmcache-frontend.install debian/python3-lmcagent.install \
	debian/lmcache-discovery.postinst debian/lmcache-frontend.postinst \
	debian/lmcache-discovery.postrm

deb: dist
	$(AM_V_GEN)rm -rf deb && $(MKDIR_P) deb && \
	  tar -C deb -xJf $(distdir).tar.xz && \
	  (cd deb/$(distdir) && dpkg-buildpackage -us -uc -b) >deb/build.log 2>&1 || \
	  { tail -n 40 deb/build.log; exit 1; }
	@ls deb/*.deb
.PHONY: deb
clean-local: clean-deb
clean-deb:
	rm -rf deb
.PHONY: clean-deb
