/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* gotl's version, shown by --version and recorded in every log and trace. */
#ifndef GOTL_VERSION_H
#define GOTL_VERSION_H

#define GOTL_VERSION "0.1.0"

#endif /* GOTL_VERSION_H */
