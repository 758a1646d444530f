package io.tamp.datapath.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RFC 3722 normal form: lower case, then NFKC; names already normal come back untouched. */
class IscsiNamesTest {

    @Test
    void everyKindOfNameIsLowerCased() {
        assertEquals("iqn.2026-11.example:host1", IscsiNames.normalize("IQN.2026-11.Example:Host1"));
        assertEquals("eui.02004567a425678d", IscsiNames.normalize("eui.02004567A425678D"));
        assertEquals("naa.52004567ba64678d", IscsiNames.normalize("NAA.52004567BA64678D"));
    }

    @Test
    void aNormalNameIsReturnedAsIs() {
        String name = "iqn.2026-11.example:host1";
        assertSame(name, IscsiNames.normalize(name));
    }

    @Test
    void nonAsciiIsCaseFoldedAndCompatibilityComposed() {
        assertEquals("iqn.2026-11.example:\u00e4rger", IscsiNames.normalize("iqn.2026-11.example:\u00c4rger"));
        // fullwidth letters and the "fi" ligature are compatibility forms of plain ASCII
        assertEquals("iqn.2026-11.example:fi", IscsiNames.normalize("\uff29\uff31\uff2e.2026-11.example:\ufb01"));
    }

    @Test
    void theDefaultLocaleDoesNotMatter() {
        java.util.Locale before = java.util.Locale.getDefault();
        java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr"));
        try {
            assertEquals("iqn.2026-11.x:i", IscsiNames.normalize("IQN.2026-11.X:I"), "no dotless i");
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    @Test
    void sameComparesNormalForms() {
        assertTrue(IscsiNames.same("iqn.2026-11.io.tamp:controller", "IQN.2026-11.IO.TAMP:Controller"));
        assertFalse(IscsiNames.same("iqn.2026-11.io.tamp:controller", "iqn.2026-11.io.tamp:controller2"));
        assertThrows(NullPointerException.class, () -> IscsiNames.normalize(null));
    }

    @Test
    void iscsiNamesAreToldFromNqns() {
        assertTrue(IscsiNames.isIscsiName("IQN.2026-11.example:host1"));
        assertTrue(IscsiNames.isIscsiName("eui.02004567A425678D"));
        assertTrue(IscsiNames.isIscsiName("Naa.52004567BA64678D"));
        assertFalse(IscsiNames.isIscsiName("nqn.2014-08.org.nvmexpress:uuid:Upper"));
        assertFalse(IscsiNames.isIscsiName("iqn"));
    }
}
