/* jsonmem.h: how much heap the JSON objects hold (the informer caches are
 * jansson trees). pn_kube_jsonmem_install() routes jansson's allocations
 * through counting wrappers; call it once at start-up, before any JSON value
 * exists. pn_kube_jsonmem_live() is then the bytes currently allocated (usable
 * sizes, so allocator rounding is included): the difference around building
 * a cache, divided by its object count, is the bytes per cached object. */
#ifndef PN_KUBE_JSONMEM_H
#define PN_KUBE_JSONMEM_H

void pn_kube_jsonmem_install(void);
long long pn_kube_jsonmem_live(void);

#endif
